// The timer source behind keepalive, timeouts and the reconnect delay: swappable (a browser may use a
// Worker-based source that background-tab throttling does not starve). In Node a timer keeps the process alive
// only when asked to: keepalive and timeouts run beside a socket, which holds the process while it is open,
// but while a client waits to reconnect its delay timer is all there is, and a service whose only work is a
// subscription must not exit then.

/** A handle returned by a TimerSource. */
export type TimerHandle = unknown

/** Where timers come from. */
export interface TimerSource {
  /** Calls `fn` after `ms`; `hold`: keep a Node process alive while it is pending (the reconnect delay). */
  setTimeout(fn: () => void, ms: number, hold?: boolean): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** Node's Timeout has unref(); browsers return a number. Call it only when it exists. */
interface MaybeUnref {
  unref?: () => void
}

/** The platform's timers; in Node each is unref'ed, unless `hold` asks it to keep the process alive. */
export const defaultTimers: TimerSource = {
  setTimeout(fn, ms, hold) {
    const handle = globalThis.setTimeout(fn, ms) as unknown as MaybeUnref
    if (!hold && typeof handle === 'object' && handle !== null && typeof handle.unref === 'function') handle.unref()
    return handle
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0])
  },
}

/**
 * Milliseconds on a monotonic clock, for measuring time between events (keepalive idleness, write timeouts):
 * the wall clock steps with NTP and manual changes, and a step back would hold the next PINGREQ back by as
 * much, a step forward would time a PINGRESP out at once.
 */
export const monotonicNow = (): number => performance.now()
