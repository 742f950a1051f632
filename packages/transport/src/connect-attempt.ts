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
  return new Promise<T>((resolve, reject) => {
    let settled = false
    let succeeded = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let cancel: () => void = () => {}
    const finish = (): boolean => {
      if (settled) return false
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      return true
    }
    const fail = (err: TransportError): void => {
      if (finish()) { cancel(); reject(err) }
    }
    const onAbort = (): void => {
      fail(new TransportError('ABORTED', `connecting to ${what} was aborted`, { cause: signal?.reason }))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        fail(new TransportError('CONNECT_TIMEOUT', `connecting to ${what} took longer than ${timeoutMs} ms`))
      }, timeoutMs)
    }
    const control: AttemptControl<T> = {
      resolve: (value) => { if (finish()) { succeeded = true; resolve(value) } },
      reject: (err) => { if (finish()) { cancel(); reject(err) } },
      get settled() { return settled },
    }
    try {
      cancel = start(control)
    } catch (err) {
      control.reject(err instanceof TransportError ? err : new TransportError('CONNECTION_FAILED', `cannot connect to ${what}`, { cause: err }))
    }
    // start() may have failed synchronously, before its cancel function was known: tear down now.
    if (settled && !succeeded) cancel()
  })
}
