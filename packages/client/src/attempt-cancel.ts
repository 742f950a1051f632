// Cancelling a connection attempt (destroy() or disconnect() while connecting). A plain flag and one
// callback instead of an AbortController: in Node its signal and an abort listener cost tens of µs per
// connect, a measurable part of connect latency. The built-in transports get a TransportAbort's signal (the
// part of AbortSignal they read), a custom transport factory a real AbortSignal.

/** The cancel handle of one connect: the attempt in progress registers the one callback to run. */
export class AttemptCancel {
  /** True once cancel() was called. */
  aborted = false
  private listener: (() => void) | undefined

  /** Run `fn` on cancel (replacing any earlier one); undefined removes it. */
  onCancel(fn: (() => void) | undefined): void {
    this.listener = fn
  }

  /** Cancel: the registered callback runs once. */
  cancel(): void {
    if (this.aborted) return
    this.aborted = true
    const fn = this.listener
    this.listener = undefined
    fn?.()
  }
}

/**
 * An AbortController for the built-in transports, which read only `aborted`, `reason` and one 'abort' listener
 * of the signal (connect-attempt.ts in @isomqtt/transport). Node's AbortController costs about 10 µs of every
 * connect (its EventTarget), on the latency path; a custom transport factory still gets a real AbortSignal.
 */
export class TransportAbort {
  aborted = false
  readonly reason: unknown = undefined
  private listener: (() => void) | undefined

  /** The signal to hand the transport: this object, typed as what TransportOptions declares. */
  get signal(): AbortSignal {
    return this as unknown as AbortSignal
  }

  /** The one listener (the attempt's). */
  addEventListener(_type: 'abort', listener: () => void): void {
    this.listener = listener
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.listener === listener) this.listener = undefined
  }

  /** Abort: the listener runs once. */
  abort(): void {
    if (this.aborted) return
    this.aborted = true
    const fn = this.listener
    this.listener = undefined
    fn?.()
  }
}
