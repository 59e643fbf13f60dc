// Hash routing: `#/devices`, `#/devices/7`, `#/share?device=7`, `#/sharing/3`, `#/others`, …

export interface Route {
  /** Path segments, e.g. `['devices', '7']`. */
  parts: string[]
  query: Record<string, string>
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '')
  const [path, search = ''] = raw.split('?', 2)
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  const query: Record<string, string> = {}
  for (const [k, v] of new URLSearchParams(search)) query[k] = v
  return { parts: parts.length ? parts : ['devices'], query }
}

export const route: Route = $state(parseHash(typeof location === 'undefined' ? '' : location.hash))

function sync(): void {
  const next = parseHash(location.hash)
  route.parts = next.parts
  route.query = next.query
}

if (typeof window !== 'undefined') window.addEventListener('hashchange', sync)

/** Goes to `#<path>`, e.g. `navigate('/devices/7')`. */
export function navigate(path: string): void {
  const hash = `#${path.startsWith('/') ? path : `/${path}`}`
  if (location.hash !== hash) location.hash = hash
  sync()
}

/** Builds `/share?device=7&to=…` from parts. */
export function href(path: string, query: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `${path}?${s}` : path
}
