// The reconnect loop's timing and hooks: after a lost connection or a failed attempt it waits one backoff
// delay, announces it ('reconnecting'), runs the user's async beforeAttempt hook (token refresh, another
// URL) and asks the runtime for one attempt over the server list. A refused CONNACK ends the loop unless
// the user asked for retries; a connection that stays up resets the backoff.
import { durationMs } from './durations.js'
import { MqttError } from './errors.js'
import { Backoff, type RandomSource } from './backoff.js'
import { ServerList } from './server-list.js'
import type { TimerHandle, TimerSource } from './timers.js'
import type { Tracer } from './trace.js'

/** What beforeAttempt is told. */
export interface AttemptInfo {
  /** 1 for the first attempt after a loss (or after the first connect failed). */
  attempt: number
  /** The server the attempt starts from (the last one that worked). */
  server: URL
  /** Why the previous connection or attempt ended. */
  error: Error
}

/** What beforeAttempt may change for this attempt and the ones after it. */
export interface AttemptOverrides {
  username?: string
  /** A secret: never traced. */
  password?: string | Uint8Array
  /** Replaces the server the attempt starts from. */
  server?: string | URL
}

/** The 'reconnecting' event's argument. */
export interface ReconnectingInfo {
  attempt: number
  /** The backoff delay before this attempt, ms. */
  delayMs: number
  /** The server the attempt starts from. */
  server: URL
  error: Error
}

/** The `reconnect` option (`false` turns reconnecting off). Defaults in brackets. */
export interface ReconnectOptions {
  /** Smallest delay between attempts, ms [500, or maxDelayMs when that is smaller]. */
  minDelayMs?: number
  /** Largest delay between attempts, ms [30 000, or minDelayMs when that is larger]. */
  maxDelayMs?: number
  /** A connection that stays up this long resets the backoff to minDelayMs, ms [10 000]. */
  stableAfterMs?: number
  /** Keep trying after a refused CONNACK (bad credentials, not authorized, identifier rejected) or an MQTT 5 Session Taken Over (0x8E) [false]. */
  retryOnRefused?: boolean
  /** connect() keeps trying (with backoff) until a server accepts, instead of rejecting at the first failure [false]. */
  retryInitialConnect?: boolean
  /**
   * Find and give up (PUBLISH_FAILED) a QoS 1/2 publish the server keeps closing the connection on, MQTT
   * 3.1.1's only way to refuse one, instead of resending it on every reconnect [false]. A network that cuts
   * connections right after each write can look the same: see README "A message the server hangs up on".
   */
  giveUpRefused?: boolean
  /**
   * subscribe() / unsubscribe() called while (re)connecting wait this long for the connection, then reject
   * with TIMEOUT; 0 rejects them at once with NOT_CONNECTED, Infinity waits as long as reconnecting goes on [30 000].
   */
  waitForConnectionMs?: number
  /** Runs before each attempt; may return new credentials or a new server URL. */
  beforeAttempt?: (info: AttemptInfo) => AttemptOverrides | void | Promise<AttemptOverrides | void>
  /** Uniform random numbers in [0, 1) for the jitter [Math.random]. */
  random?: RandomSource
}

/** Reconnect options with defaults applied. */
export interface ResolvedReconnectOptions extends ReconnectOptions {
  minDelayMs: number
  maxDelayMs: number
  stableAfterMs: number
  retryOnRefused: boolean
  retryInitialConnect: boolean
  giveUpRefused: boolean
  waitForConnectionMs: number
}

/** Defaults for `reconnect: true` / absent; `false` gives undefined (no reconnecting). */
export function resolveReconnectOptions(value: ReconnectOptions | boolean | undefined): ResolvedReconnectOptions | undefined {
  if (value === false) return undefined
  const o = value === true || value === undefined ? {} : value
  // Each default gives way to the other limit when only one is given: { maxDelayMs: 100 } means 100 at most.
  const givenMax = durationMs(o.maxDelayMs, 30_000, 'reconnect.maxDelayMs')
  const minDelayMs = durationMs(o.minDelayMs, Math.min(500, givenMax), 'reconnect.minDelayMs')
  const maxDelayMs = o.maxDelayMs === undefined ? Math.max(givenMax, minDelayMs) : givenMax
  if (minDelayMs > maxDelayMs) {
    throw new MqttError('INVALID_ARGUMENT', `reconnect.minDelayMs (${minDelayMs}) must not exceed reconnect.maxDelayMs (${maxDelayMs})`)
  }
  // Object.assign: a spread followed by properties is a slow path in V8 (see options.ts).
  return Object.assign({}, o, {
    minDelayMs,
    maxDelayMs,
    stableAfterMs: durationMs(o.stableAfterMs, 10_000, 'reconnect.stableAfterMs'),
    retryOnRefused: o.retryOnRefused ?? false,
    retryInitialConnect: o.retryInitialConnect ?? false,
    giveUpRefused: o.giveUpRefused === true,
    waitForConnectionMs: durationMs(o.waitForConnectionMs, 30_000, 'reconnect.waitForConnectionMs', 0, true),
  })
}

/** CONNACK refusals that retrying with the same settings cannot fix. */
const REFUSALS = new Set(['BAD_CREDENTIALS', 'NOT_AUTHORIZED', 'IDENTIFIER_REJECTED', 'UNACCEPTABLE_PROTOCOL_VERSION', 'BANNED', 'BAD_AUTHENTICATION_METHOD'])

/** True for a refused CONNACK (3.1.1 return codes 1, 2, 4, 5; MQTT 5 0x84-0x87, 0x8A banned, 0x8C). */
export function isRefusal(error: Error): boolean {
  const e = error as MqttError
  if (typeof e.code === 'string' && REFUSALS.has(e.code)) return true
  const rc = e.reasonCode
  return typeof rc === 'number' && ((rc >= 0x84 && rc <= 0x87) || rc === 0x8a || rc === 0x8c)
}

/**
 * MQTT 5 DISCONNECT 0x8E: another client connected with this client id. Reconnecting would take the session
 * back, and the two clients would take it from each other in turn, each connected part of the time, without
 * anyone being told; stopping says so once (MQTT 3.1.1 servers just close the socket, which cannot be told
 * from a network failure).
 */
function takenOver(error: Error): boolean {
  const e = error as MqttError
  return e.code === 'SERVER_DISCONNECT' && e.reasonCode === 0x8e
}

/** What the loop drives. */
export interface ReconnectHost {
  /** Announce an upcoming attempt ('reconnecting' event). */
  reconnecting(info: ReconnectingInfo): void
  /** Make one attempt over these servers, in order (the runtime reports the outcome back). */
  attempt(servers: URL[]): void
  /** The loop stopped for good (a refusal); the runtime closes and fails what waited. */
  gaveUp(error: Error): void
}

/** Schedules attempts with backoff; one per client, reused across losses. */
export class ReconnectLoop {
  /** Credentials from the latest beforeAttempt hook; they replace the options' ones from then on. */
  username: string | undefined
  password: string | Uint8Array | undefined
  readonly servers: ServerList
  private readonly backoff: Backoff
  private timer: TimerHandle | undefined
  private stableTimer: TimerHandle | undefined
  private run = 0
  /** The attempt whose backoff delay is running (retryNow() can start it at once). */
  private waiting: { run: number; attempt: number; error: Error } | undefined

  constructor(
    readonly options: ResolvedReconnectOptions,
    servers: readonly URL[],
    private readonly host: ReconnectHost,
    private readonly timers: TimerSource,
    private readonly trace: Tracer,
  ) {
    this.backoff = new Backoff({ minDelayMs: options.minDelayMs, maxDelayMs: options.maxDelayMs, random: options.random })
    this.servers = new ServerList(servers)
  }

  /** True while an attempt is scheduled or running. */
  get active(): boolean {
    return this.timer !== undefined
  }

  /**
   * The connection was lost or an attempt failed with `error`: schedule the next attempt, or give up on a
   * refusal. Returns false when it gave up.
   */
  failed(error: Error): boolean {
    this.clearStable()
    if ((isRefusal(error) || takenOver(error)) && !this.options.retryOnRefused) {
      this.trace.critical('client', 'reconnect stopped', error)
      this.cancel()
      this.host.gaveUp(error)
      return false
    }
    const delayMs = this.backoff.next()
    const attempt = this.backoff.attempts
    const server = this.servers.current
    if (this.trace.warns) this.trace.warn('client', `reconnect attempt ${attempt} in ${delayMs} ms`)
    const run = ++this.run
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.waiting = { run, attempt, error }
    // Held: no socket is open while the client waits, and a process with nothing else to do must not exit.
    this.timer = this.timers.setTimeout(() => { this.waiting = undefined; void this.fire(run, attempt, error) }, delayMs, true)
    this.host.reconnecting({ attempt, delayMs, server, error })
    return true
  }

  /** While a backoff delay runs, start its attempt at once (the network is back); false when not waiting. */
  retryNow(): boolean {
    const w = this.waiting
    if (w === undefined || w.run !== this.run) return false
    this.waiting = undefined
    if (this.trace.warns) this.trace.warn('client', `reconnect attempt ${w.attempt} now`)
    this.timers.clearTimeout(this.timer)
    void this.fire(w.run, w.attempt, w.error)
    return true
  }

  private async fire(run: number, attempt: number, error: Error): Promise<void> {
    const hook = this.options.beforeAttempt
    if (hook) {
      try {
        const o = await hook({ attempt, server: this.servers.current, error })
        if (run !== this.run) return
        if (o) {
          if (o.username !== undefined) this.username = o.username
          if (o.password !== undefined) this.password = o.password
          if (o.server !== undefined) this.servers.replaceCurrent(typeof o.server === 'string' ? new URL(o.server) : o.server)
        }
      } catch (err) {
        if (run !== this.run) return
        this.timer = undefined
        this.trace.warn('client', 'beforeAttempt failed', err)
        this.failed(err instanceof Error ? err : new Error(String(err)))
        return
      }
    }
    if (run !== this.run) return
    this.timer = undefined
    this.host.attempt(this.servers.order())
  }

  /** A connection to `server` was accepted: stick to it, and reset the backoff once it has held. */
  connected(server: URL): void {
    this.servers.succeeded(server)
    this.clearStable()
    // A backoff still at its start has nothing to reset: no timer (the first connect, the common case).
    if (this.backoff.attempts === 0) return
    this.stableTimer = this.timers.setTimeout(() => {
      this.stableTimer = undefined
      this.backoff.reset()
    }, this.options.stableAfterMs)
  }

  /** Stop: no attempt runs after this (disconnect, destroy). */
  cancel(): void {
    this.run++
    this.waiting = undefined
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
    this.clearStable()
    this.backoff.reset()
  }

  private clearStable(): void {
    if (this.stableTimer !== undefined) this.timers.clearTimeout(this.stableTimer)
    this.stableTimer = undefined
  }
}
