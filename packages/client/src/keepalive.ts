// Keepalive as in the Paho seed: send PINGREQ when nothing was sent (or nothing received) for the
// keepalive period; when no packet at all arrives within pingTimeoutMs after it, the connection is lost.
import { monotonicNow, type TimerHandle, type TimerSource } from './timers.js'
import type { Tracer } from './trace.js'

const PINGREQ = { type: 'pingreq' } as const

/** One pinger per connection; one timer at a time, unref'ed, stopped with the connection. */
export class Keepalive {
  private timer: TimerHandle | undefined
  private pingSentAt = 0
  private stopped = true
  private readonly onTimer = (): void => this.check()

  constructor(
    private readonly conn: PingableConnection,
    private readonly onTimeout: () => void,
    private readonly keepaliveMs: number,
    private readonly pingTimeoutMs: number,
    private readonly timers: TimerSource,
    private readonly trace: Tracer,
  ) {}

  /** Start pinging (no-op when keepalive is 0). */
  start(): void {
    if (this.keepaliveMs <= 0) return
    this.stopped = false
    this.pingSentAt = 0
    this.schedule(this.keepaliveMs)
  }

  /** Stop and clear the timer. */
  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = this.timers.setTimeout(this.onTimer, Math.max(1, ms))
  }

  private check(): void {
    this.timer = undefined
    if (this.stopped) return
    const now = monotonicNow()
    const { lastSent, lastReceived } = this.conn
    if (this.pingSentAt !== 0) {
      if (lastReceived >= this.pingSentAt) {
        this.pingSentAt = 0
      } else if (now - this.pingSentAt >= this.pingTimeoutMs) {
        if (this.trace.on) this.trace.critical('pinger', `no packet within ${this.pingTimeoutMs} ms after PINGREQ`)
        this.stop()
        this.onTimeout()
        return
      } else {
        this.schedule(this.pingSentAt + this.pingTimeoutMs - now)
        return
      }
    }
    const idle = Math.max(now - lastSent, now - lastReceived)
    if (idle >= this.keepaliveMs) {
      this.trace.debug('pinger', 'keepalive: sending PINGREQ')
      this.pingSentAt = now
      this.conn.send(PINGREQ)
      this.schedule(this.pingTimeoutMs)
      return
    }
    this.schedule(this.keepaliveMs - idle)
  }
}

/** What the pinger needs from a connection: the times (monotonicNow()) of its last write and last read. */
export interface PingableConnection {
  readonly lastSent: number
  readonly lastReceived: number
  send(packet: { type: 'pingreq' }): void
}

/** Start a pinger on a connection; `onTimeout` runs when no packet followed a PINGREQ in time. */
export function keepaliveFor(
  conn: PingableConnection, keepaliveMs: number, pingTimeoutMs: number | undefined, timers: TimerSource, trace: Tracer, onTimeout: () => void,
): Keepalive {
  const keepalive = new Keepalive(
    conn,
    onTimeout,
    keepaliveMs,
    // 0.4 x keepalive (at most Paho's 10 s): PINGREQ goes out at most one keepalive after the last byte, so a
    // stalled link is declared lost by 1.4 x keepalive, inside the promised 1.5 x even when timers run late.
    pingTimeoutMs ?? Math.min(keepaliveMs * 0.4, 10_000),
    timers,
    trace,
  )
  keepalive.start()
  return keepalive
}
