// Runs one connection attempt under the caller's timeout and AbortSignal; browser-safe. Of the signal it reads
// only `aborted`, `reason` and one 'abort' listener: the client hands its own light signal (TransportAbort).
import { TransportError } from './errors.js'
import type { TransportOptions } from './types.js'

/** Default connect timeout: TCP, TLS and WebSocket handshakes together. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000

/** What an attempt gets to settle itself; `cancel` (returned by start) must tear down whatever it opened. */
export interface AttemptControl<T> {
  resolve(value: T): void
  reject(err: TransportError): void
  /** True once the attempt settled (timed out, aborted, failed or succeeded): late events must be ignored. */
  readonly settled: boolean
}

/**
 * Starts an attempt and settles it at most once: with its own result, CONNECT_TIMEOUT, or ABORTED.
 * `start` returns a cancel function, called on timeout and abort (never after success).
 */
export function attemptConnection<T>(
  what: string,
  options: TransportOptions,
  start: (control: AttemptControl<T>) => () => void,
): Promise<T> {
  const { signal } = options
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  if (signal?.aborted) {
    return Promise.reject(new TransportError('ABORTED', `connecting to ${what} was aborted`, { cause: signal.reason }))
  }
  let attempt!: Attempt<T>
  const promise = new Promise<T>((resolve, reject) => { attempt = new Attempt(what, signal, resolve, reject) })
  if (timeoutMs > 0) attempt.arm(timeoutMs)
  try {
    attempt.cancel = start(attempt)
  } catch (err) {
    attempt.reject(err instanceof TransportError ? err : new TransportError('CONNECTION_FAILED', `cannot connect to ${what}`, { cause: err }))
  }
  // start() may have failed synchronously, before its cancel function was known: tear down now.
  if (attempt.settled && !attempt.succeeded) attempt.cancel()
  return promise
}

/**
 * One attempt's state, a class rather than closures and an object literal with a getter (`settled` is a plain
 * field here): it is made on every connect, on the latency path.
 */
class Attempt<T> implements AttemptControl<T> {
  settled = false
  succeeded = false
  cancel: () => void = noop
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly onAbort: (() => void) | undefined

  constructor(
    private readonly what: string,
    private readonly signal: AbortSignal | undefined,
    private readonly done: (value: T) => void,
    private readonly failed: (err: TransportError) => void,
  ) {
    if (signal) {
      this.onAbort = () => this.reject(new TransportError('ABORTED', `connecting to ${what} was aborted`, { cause: signal.reason }))
      signal.addEventListener('abort', this.onAbort, { once: true })
    }
  }

  /** Fail with CONNECT_TIMEOUT after `ms`. */
  arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.reject(new TransportError('CONNECT_TIMEOUT', `connecting to ${this.what} took longer than ${ms} ms`))
    }, ms)
  }

  // Fields, not methods: callers pass them on as callbacks (websocket-connect.ts hands `reject` to the dialer).
  readonly resolve = (value: T): void => {
    if (!this.finish()) return
    this.succeeded = true
    this.done(value)
  }

  readonly reject = (err: TransportError): void => {
    if (!this.finish()) return
    this.cancel()
    this.failed(err)
  }

  private finish(): boolean {
    if (this.settled) return false
    this.settled = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort)
    return true
  }
}

function noop(): void {}
