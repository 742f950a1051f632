// Store operations one after another, in call order, so replay order is first-put order whatever the store.
// Deletes come one per acknowledged message; they are gathered and issued as one operation per tick (or
// earlier, in their place, when another operation is queued), which keeps call order without a promise
// chain per acknowledgement.
import type { Store } from '@isomqtt/store'
import type { Tracer } from './trace.js'

/** Serializes store operations; a failure is traced and does not stop the ones after it. */
export class StoreQueue {
  private tail: Promise<unknown> = Promise.resolve()
  private dels: string[] = []
  private readonly onTraced = (err: unknown): void => {
    this.trace.critical('store', `store operation failed: ${err instanceof Error ? err.message : String(err)}`)
  }
  private readonly flushDels = (): void => this.queueDels()

  constructor(private readonly store: Store, private readonly trace: Tracer) {}

  /** Run `op` after every operation queued before it; resolves or rejects with it. */
  run(op: () => Promise<unknown>): Promise<void> {
    if (this.dels.length > 0) this.queueDels()
    const next = this.tail.then(op)
    this.tail = next.catch(this.onTraced)
    return next.then(() => undefined)
  }

  /** Delete `key` in its place among the queued operations; a failure is traced only. */
  del(key: string): void {
    if (this.dels.push(key) === 1) queueMicrotask(this.flushDels)
  }

  /** Resolves when every operation queued so far has finished. */
  settled(): Promise<unknown> {
    if (this.dels.length > 0) this.queueDels()
    return this.tail
  }

  private queueDels(): void {
    const keys = this.dels
    if (keys.length === 0) return
    this.dels = []
    const store = this.store
    this.tail = this.tail.then((): Promise<unknown> => {
      if (keys.length === 1) return store.del(keys[0]!)
      const done = new Array<Promise<void>>(keys.length)
      for (let i = 0; i < keys.length; i++) done[i] = store.del(keys[i]!)
      return Promise.all(done)
    }).catch(this.onTraced)
  }
}
