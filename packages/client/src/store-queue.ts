// Store operations one after another, in call order, so replay order is first-put order whatever the store.
import type { Tracer } from './trace.js'

/** Serializes store operations; a failure is traced and does not stop the ones after it. */
export class StoreQueue {
  private tail: Promise<unknown> = Promise.resolve()

  constructor(private readonly trace: Tracer) {}

  /** Run `op` after every operation queued before it; resolves or rejects with it. */
  run(op: () => Promise<unknown>): Promise<void> {
    const next = this.tail.then(op)
    this.tail = next.catch((err: unknown) => {
      this.trace.critical('store', `store operation failed: ${err instanceof Error ? err.message : String(err)}`)
    })
    return next.then(() => undefined)
  }

  /** Resolves when every operation queued so far has finished. */
  settled(): Promise<unknown> {
    return this.tail
  }
}
