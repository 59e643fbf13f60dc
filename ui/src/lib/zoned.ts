// Wall-clock times in a named time zone (the account's), without a date library.

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** A zone name Intl knows, or UTC. */
export function knownZone(timeZone: string): string {
  try {
    formatter(timeZone)
    return timeZone
  } catch {
    return 'UTC'
  }
}

/** The wall clock of `ms` in the zone, as if it were UTC milliseconds. */
function wallClock(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {}
  for (const p of formatter(knownZone(timeZone)).formatToParts(new Date(ms)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value)
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second)
}

/** `2025-03-01T09:30` on the zone's clock → the instant. */
export function zonedToUtc(local: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local)
  if (!m) return null
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5])
  let at = guess - (wallClock(guess, timeZone) - guess)
  const again = guess - (wallClock(at, timeZone) - at)
  if (again !== at) at = again
  return new Date(at)
}

/** The instant → `2025-03-01T09:30` on the zone's clock (for `<input type="datetime-local">`). */
export function utcToZonedInput(iso: string, timeZone: string): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return ''
  return new Date(wallClock(ms, timeZone)).toISOString().slice(0, 16)
}
