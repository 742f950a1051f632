// subscribe() / unsubscribe() made while the client is (re)connecting wait here for the session to be back,
// bounded by reconnect.waitForConnectionMs; they fail when the client closes or reconnecting gives up.
import { MqttError } from './errors.js'
import type { TimerHandle, TimerSource } from './timers.js'

interface Waiter {
  resolve: () => void
  reject: (e: Error) => void
  timer: TimerHandle | undefined
}

/** Callers waiting for the next established (and resumed) connection. */
export class ConnectionWait {
  private waiters = new Set<Waiter>()

  constructor(private readonly timers: TimerSource) {}

  /** Resolves at the next open(); rejects with TIMEOUT after `timeoutMs`, or with fail()'s error. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve, reject, timer: undefined }
      if (Number.isFinite(timeoutMs)) {
        w.timer = this.timers.setTimeout(() => {
          this.waiters.delete(w)
          reject(new MqttError('TIMEOUT', `not connected again within ${timeoutMs} ms`))
        }, timeoutMs)
      }
      this.waiters.add(w)
    })
  }

  /** The session resumed on a new connection: everyone waiting goes ahead. */
  open(): void {
    this.settle((w) => w.resolve())
  }

  /** The client closed or gave up reconnecting: everyone waiting fails with `error` (made only if anyone waits). */
  fail(error: () => Error): void {
    if (this.waiters.size === 0) return
    const e = error()
    this.settle((w) => w.reject(e))
  }

  private settle(fn: (w: Waiter) => void): void {
    if (this.waiters.size === 0) return
    const all = this.waiters
    this.waiters = new Set()
    for (const w of all) {
      if (w.timer !== undefined) this.timers.clearTimeout(w.timer)
      fn(w)
    }
  }
}
