// Exactly-once delivery of inbound QoS 2: a packet id is held (in memory and in the store as `i.<id>`)
// from PUBLISH to PUBREL, so a redelivered PUBLISH with that id is acknowledged but not delivered again.
import type { Store } from '@isomqtt/store'
import type { StoreQueue } from './store-queue.js'

const inKey = (id: number): string => `i.${id}`

/** The held inbound QoS 2 packet ids. */
export class InboundQos2 {
  private readonly held = new Set<number>()

  constructor(private readonly store: Store, private readonly queue: StoreQueue) {}

  /** The ids currently held. */
  get ids(): ReadonlySet<number> {
    return this.held
  }

  /** A QoS 2 PUBLISH arrived: deliver it only when its id is not held; `stored` settles once `i.<id>` is kept. */
  receive(id: number, marker: Uint8Array): { deliver: boolean; stored: Promise<void> } {
    if (this.held.has(id)) return { deliver: false, stored: Promise.resolve() }
    this.held.add(id)
    return { deliver: true, stored: this.queue.run(() => this.store.put(inKey(id), marker)) }
  }

  /** PUBREL arrived: release the id; resolves once `i.<id>` is gone (undefined when the id was not held). */
  release(id: number): Promise<void> | undefined {
    if (!this.held.delete(id)) return undefined
    return this.queue.run(() => this.store.del(inKey(id)))
  }

  /** Hold ids read back from the store. */
  load(ids: Iterable<number>): void {
    for (const id of ids) this.held.add(id)
  }

  /** Forget every held id (the store is reset separately). */
  clear(): void {
    this.held.clear()
  }
}
