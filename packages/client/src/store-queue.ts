// Store operations one after another, in call order, so replay order is first-put order whatever the store.
// Deletes come one per acknowledged message; they are gathered and issued as one operation per tick (or
// earlier, in their place, when another operation is queued), which keeps call order without a promise
// chain per acknowledgement. A store that can work synchronously (MemoryStore's putNow/delNow) is used
// at once whenever nothing is queued before: the result is the same order, without a promise per message.
import type { Store } from '@isomqtt/store'
import type { Tracer } from './trace.js'

/** A store that may keep or forget a packet synchronously (structural: MemoryStore has both). */
interface ImmediateStore {
  /** true when kept at once; false when it has to go through put(). Throws like put() rejects. */
  putNow?(key: string, packet: Uint8Array): boolean
  /** true when forgotten at once. Throws like del() rejects. */
  delNow?(key: string): boolean
  /** putNow() of `o.<id>` by id (MemoryStore): no key string per message. */
  putOutNow?(id: number, packet: Uint8Array): boolean
  /** delNow() of `o.<id>` by id. */
  delOutNow?(id: number): boolean
  /** keys() at once. */
  keysNow?(): string[]
  /** How many keys, at once. */
  sizeNow?(): number
}

/**
 * The store key of an outbound message. Not cached: a cache of every id's key held ~1.6 MB for good once ids
 * reached 50,000, where a key made when needed dies young.
 */
export const outKey = (id: number): string => `o.${id}`

const keyOf = (k: string | number): string => (typeof k === 'string' ? k : outKey(k))

/** Serializes store operations; a failure is traced and does not stop the ones after it. */
export class StoreQueue {
  private tail: Promise<unknown> = Promise.resolve()
  /** Gathered deletes in call order: a key, or an outbound message's id (its key `o.<id>` made only if needed). */
  private dels: Array<string | number> = []
  /** Operations queued and not settled yet: while any is, nothing may run at once. */
  private busy = 0
  private readonly now: ImmediateStore
  private readonly settle = (): void => { this.busy-- }
  private readonly settleTraced = (err: unknown): void => {
    this.busy--
    this.traceFailure(err)
  }
  private readonly flushDels = (): void => this.queueDels()

  constructor(private readonly store: Store, private readonly trace: Tracer) {
    this.now = store as ImmediateStore
  }

  /** Run `op` after every operation queued before it; resolves or rejects with it. */
  run(op: () => Promise<unknown>): Promise<void> {
    if (this.dels.length > 0) this.queueDels()
    this.busy++
    const next = this.tail.then(op)
    this.tail = next.then(this.settle, this.settleTraced)
    return next.then(() => undefined)
  }

  /**
   * Keep `packet` now when the store can and nothing is queued before it; false when the caller must use
   * run() instead. Throws what the store throws (nothing was kept then).
   */
  putNow(key: string, packet: Uint8Array): boolean {
    return this.readyNow() && this.now.putNow!(key, packet)
  }

  /** putNow() of an outbound message's `o.<id>`, by id (see ImmediateStore.putOutNow). */
  putOutNow(id: number, packet: Uint8Array): boolean {
    if (!this.readyNow()) return false
    return this.now.putOutNow ? this.now.putOutNow(id, packet) : this.now.putNow!(outKey(id), packet)
  }

  /** A put may be done at once: the store can, nothing is queued, and the gathered deletes went first. */
  private readyNow(): boolean {
    if (this.busy > 0 || this.now.putNow === undefined) return false
    return this.dels.length === 0 || this.delsNow()
  }

  /** Delete `key` in its place among the queued operations; a failure is traced only. */
  del(key: string): void {
    if (this.dels.push(key) === 1) queueMicrotask(this.flushDels)
  }

  /** del() of an outbound message's `o.<id>`, by id. */
  delOut(id: number): void {
    if (this.dels.push(id) === 1) queueMicrotask(this.flushDels)
  }

  /** True when nothing is queued and the store can tell at once that it holds nothing (MemoryStore). */
  emptyNow(): boolean {
    if (this.busy > 0 || this.dels.length > 0) return false
    return this.now.sizeNow ? this.now.sizeNow() === 0 : this.now.keysNow?.().length === 0
  }

  /** Resolves when every operation queued so far has finished. */
  settled(): Promise<unknown> {
    if (this.dels.length > 0) this.queueDels()
    return this.tail
  }

  /** The gathered deletes, synchronously; false (nothing lost: they stay gathered) when the store cannot. */
  private delsNow(): boolean {
    const now = this.now
    if (now.delNow === undefined) return false
    const keys = this.dels
    this.dels = []
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      try {
        const done = typeof k === 'string' ? now.delNow(k) : now.delOutNow ? now.delOutNow(k) : now.delNow(outKey(k))
        if (!done) {
          this.dels = keys.slice(i)
          return false
        }
      } catch (err) {
        this.traceFailure(err)
      }
    }
    return true
  }

  private queueDels(): void {
    const keys = this.dels
    if (keys.length === 0) return
    if (this.busy === 0 && this.delsNow()) return
    this.dels = []
    const store = this.store
    this.busy++
    this.tail = this.tail.then((): Promise<unknown> => {
      if (keys.length === 1) return store.del(keyOf(keys[0]!))
      const done = new Array<Promise<void>>(keys.length)
      for (let i = 0; i < keys.length; i++) done[i] = store.del(keyOf(keys[i]!))
      return Promise.all(done)
    }).then(this.settle, this.settleTraced)
  }

  private traceFailure(err: unknown): void {
    this.trace.critical('store', 'store operation failed', err)
  }
}
