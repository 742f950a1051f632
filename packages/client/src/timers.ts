// The timer source behind keepalive and timeouts: swappable (a browser may use a Worker-based source that
// background-tab throttling does not starve), and never keeping a Node process alive.

/** A handle returned by a TimerSource. */
export type TimerHandle = unknown

/** Where timers come from. */
export interface TimerSource {
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** Node's Timeout has unref(); browsers return a number. Call it only when it exists. */
interface MaybeUnref {
  unref?: () => void
}

/** The platform's timers; in Node each is unref'ed so a pending timer never holds the process open. */
export const defaultTimers: TimerSource = {
  setTimeout(fn, ms) {
    const handle = globalThis.setTimeout(fn, ms) as unknown as MaybeUnref
    if (typeof handle === 'object' && handle !== null && typeof handle.unref === 'function') handle.unref()
    return handle
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0])
  },
}
