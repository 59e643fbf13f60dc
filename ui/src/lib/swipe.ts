// Swipe a row to the left to reveal its actions, with a mouse or pen (pointer events) or a
// finger (pointer events, or touch events where a webview sends only those).

export interface SwipeOptions {
  /** How far the row slides open, in pixels. */
  width: number
  open: boolean
  onchange: (open: boolean) => void
}

/** Movement below this many pixels is a tap, not a swipe. */
const SLOP = 6

export function swipe(node: HTMLElement, options: SwipeOptions) {
  let opts = options
  let source: 'pointer' | 'touch' | null = null
  let phase: 'idle' | 'pending' | 'drag' = 'idle'
  let startX = 0
  let startY = 0
  let base = 0
  let offset = 0
  let dragged = false

  function place(x: number, animate: boolean) {
    node.style.transition = animate ? 'transform 0.18s ease-out' : 'none'
    node.style.transform = x ? `translateX(${x}px)` : ''
  }
  place(opts.open ? -opts.width : 0, false)

  function start(x: number, y: number, from: 'pointer' | 'touch') {
    source = from
    phase = 'pending'
    startX = x
    startY = y
    base = opts.open ? -opts.width : 0
    offset = base
    dragged = false
  }

  /** Returns true while the gesture is a horizontal drag. */
  function move(x: number, y: number): boolean {
    if (phase === 'idle') return false
    const [mx, my] = [x - startX, y - startY]
    if (phase === 'pending') {
      if (Math.abs(mx) < SLOP && Math.abs(my) < SLOP) return false
      if (Math.abs(my) > Math.abs(mx)) {
        phase = 'idle' // a vertical scroll: leave it to the list
        source = null
        return false
      }
      phase = 'drag'
      dragged = true
    }
    offset = Math.max(-opts.width * 1.2, Math.min(0, base + mx))
    place(offset, false)
    return true
  }

  function end() {
    if (phase === 'drag') {
      const open = offset < -opts.width / 2
      place(open ? -opts.width : 0, true)
      if (open !== opts.open) opts.onchange(open)
      // The click that follows a drag is not a tap; forget the drag once it has passed.
      setTimeout(() => (dragged = false), 0)
    }
    phase = 'idle'
    source = null
  }

  const onpointerdown = (e: PointerEvent) => {
    if (e.button !== 0 || source) return
    start(e.clientX, e.clientY, 'pointer')
  }
  const onpointermove = (e: PointerEvent) => {
    if (source === 'pointer' && move(e.clientX, e.clientY)) node.setPointerCapture?.(e.pointerId)
  }
  const onpointerup = () => source === 'pointer' && end()
  const ontouchstart = (e: TouchEvent) => {
    if (source || e.touches.length !== 1) return
    start(e.touches[0].clientX, e.touches[0].clientY, 'touch')
  }
  const ontouchmove = (e: TouchEvent) => {
    if (source === 'touch' && move(e.touches[0].clientX, e.touches[0].clientY)) e.preventDefault()
  }
  const ontouchend = () => source === 'touch' && end()
  const onclick = (e: MouseEvent) => {
    if (!dragged) return
    dragged = false
    e.preventDefault()
    e.stopPropagation()
  }

  const listeners: [string, EventListener, AddEventListenerOptions?][] = [
    ['pointerdown', onpointerdown as EventListener],
    ['pointermove', onpointermove as EventListener],
    ['pointerup', onpointerup],
    ['pointercancel', onpointerup],
    ['touchstart', ontouchstart as EventListener, { passive: true }],
    ['touchmove', ontouchmove as EventListener, { passive: false }],
    ['touchend', ontouchend],
    ['touchcancel', ontouchend],
    ['click', onclick as EventListener, { capture: true }],
  ]
  for (const [type, fn, o] of listeners) node.addEventListener(type, fn, o)

  return {
    update(next: SwipeOptions) {
      const changed = next.open !== opts.open
      opts = next
      if (changed && phase !== 'drag') place(opts.open ? -opts.width : 0, true)
    },
    destroy() {
      for (const [type, fn, o] of listeners) node.removeEventListener(type, fn, o)
    },
  }
}
