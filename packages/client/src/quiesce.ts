// disconnect({ quiesceMs }): in-flight publishes and (un)subscribes get up to quiesceMs to complete before
// DISCONNECT goes out; an idle session does not wait at all.
import type { Session } from './session.js'
import type { TimerHandle, TimerSource } from './timers.js'

/** The wait before DISCONNECT. */
export class Quiesce {
  private timer: TimerHandle | undefined

  constructor(private readonly timers: TimerSource, private readonly session: Session) {}

  /** Call `done` once the session is idle or `ms` have passed, whichever is first (always asynchronously). */
  start(ms: number, done: () => void): void {
    const finish = (): void => {
      if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
      this.timer = undefined
      this.session.onIdle = undefined
      done()
    }
    if (ms <= 0 || this.session.idle) { queueMicrotask(finish); return }
    this.session.onIdle = finish
    this.timer = this.timers.setTimeout(finish, ms)
  }
}
