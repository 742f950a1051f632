// Cancelling a connection attempt (destroy() or disconnect() while connecting). A plain flag and one
// callback instead of an AbortController: in Node its signal and an abort listener cost tens of µs per
// connect, a measurable part of connect latency. The transport still gets a real AbortSignal (its API).

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
