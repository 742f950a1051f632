// Admitting a QoS 1/2 publish: queue limit, in-flight window, packet id, encoding, the store, then the wire.
// Publishes admitted in the same tick are stored together and handed to the connection together, so they
// share one write.
import { encode } from '@isomqtt/codec'
import type { PublishPacket } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import { newOutbound, type Outbound, type OutboundTable } from './outbound-table.js'
import { outKey } from './store-queue.js'
import type { PublishResult } from './publish-result.js'

/** This tick's admitted publishes, as parallel arrays (no object per message). */
interface Batch {
  ids: number[]
  bytes: Uint8Array[]
  entries: Outbound[]
  packets: PublishPacket[]
}

const newBatch = (): Batch => ({ ids: [], bytes: [], entries: [], packets: [] })

/** The way in for QoS 1/2 publishes. */
export class PublishAdmission {
  private batch: Batch = newBatch()
  /** Batches handed to the store and not yet to the connection: later publishes queue behind them. */
  private flushing = 0

  constructor(private readonly table: OutboundTable) {}

  /**
   * Publish at QoS 1 or 2: into the store, then onto the wire; settles at PUBACK / PUBCOMP. A `deferred`
   * publish (made offline) is only stored: it takes no in-flight slot and waits for sendDeferred().
   */
  publish(packet: PublishPacket, deferred: boolean, queued: number): Promise<PublishResult> {
    const t = this.table
    if (deferred) {
      t.waiting++
      return this.admit(packet, true)
    }
    const { maxInflight, maxQueued } = t.ctx.limits
    if (queued >= maxQueued) {
      return Promise.reject(new MqttError('QUEUE_FULL', `more than ${maxQueued} publishes waiting to be written`))
    }
    t.waiting++
    if (t.entries.size >= maxInflight || t.slots.waiting) {
      // `moved`: the link dropped while it waited, so it joined the offline queue's head (stored, deferred).
      return t.slots.wait(packet).then((moved) => this.admit(packet, moved), (err: Error) => { t.waiting--; throw err })
    }
    return this.admit(packet, false)
  }

  private admit(packet: PublishPacket, deferred: boolean): Promise<PublishResult> {
    const id = this.table.ctx.ids.acquire()
    if (typeof id === 'number') return this.admitWithId(packet, id, deferred)
    return id.then((free) => {
      const done = this.admitWithId(packet, free, deferred)
      // An offline publish that waited for a packet id: the offline queue's flush may be waiting for it.
      if (deferred) this.table.lateDeferred?.()
      return done
    })
  }

  /**
   * Register the message and store it: at once when the store can and nothing admitted earlier is still on
   * its way (then it is written at once too, so a long publishing loop already streams to the server),
   * otherwise in this tick's store batch.
   */
  private admitWithId(packet: PublishPacket, id: number, deferred: boolean): Promise<PublishResult> {
    const t = this.table
    packet.packetId = id
    const bytes = encode(packet, t.version)
    const entry = newOutbound(packet.qos, packet.topic, 'publish', false)
    t.entries.set(id, entry)
    if (deferred) t.deferred.set(id, bytes)
    if (this.flushing === 0 && this.batch.ids.length === 0) {
      let kept: boolean
      try {
        kept = t.ctx.storeQueue.putOutNow(id, bytes)
      } catch (cause) {
        t.waiting--
        t.forget(id)
        entry.reject(new MqttError('STORE_ERROR', 'could not store the message', { cause }))
        return entry.promise
      }
      if (kept) {
        t.waiting--
        const conn = t.conn
        // Not connected: it is resent when the session resumes (offline ones by the offline queue).
        if (!deferred && conn?.open) {
          entry.sent = true
          t.send(conn, t.wire ? t.wire(packet, bytes) : bytes, id)
        }
        return entry.promise
      }
    }
    const b = this.batch
    b.bytes.push(bytes)
    b.entries.push(entry)
    b.packets.push(packet)
    if (b.ids.push(id) === 1) queueMicrotask(this.flushPuts)
    return entry.promise
  }

  private readonly flushPuts = (): void => {
    const { ids, bytes, entries, packets } = this.batch
    this.batch = newBatch()
    const t = this.table
    const store = t.ctx.store
    const n = ids.length
    this.flushing++
    t.ctx.storeQueue.run(() => {
      const puts = new Array<Promise<void>>(n)
      for (let i = 0; i < n; i++) puts[i] = store.put(outKey(ids[i]!), bytes[i]!)
      return Promise.all(puts)
    }).then(
      () => {
        this.flushing--
        const conn = t.conn
        for (let i = 0; i < n; i++) {
          t.waiting--
          const id = ids[i]!
          // Not connected any more: it is resent when the session resumes (offline ones by the offline queue).
          if (!conn?.open || t.entries.get(id) !== entries[i] || t.deferred.has(id)) continue
          entries[i]!.sent = true
          t.send(conn, t.wire ? t.wire(packets[i]!, bytes[i]!) : bytes[i]!, id)
        }
      },
      (cause: unknown) => {
        this.flushing--
        for (let i = 0; i < n; i++) {
          t.waiting--
          const id = ids[i]!
          if (t.entries.get(id) !== entries[i]) continue
          t.forget(id)
          entries[i]!.reject(new MqttError('STORE_ERROR', 'could not store the message', { cause }))
        }
      },
    )
  }

  /** Send an offline-queued publish now, in the offline queue's order; false when it is gone. */
  sendDeferred(id: number): boolean {
    const t = this.table
    const bytes = t.deferred.get(id)
    const entry = t.entries.get(id)
    if (!bytes || !entry || !t.conn?.open) return false
    t.deferred.delete(id)
    // The in-flight window holds for them too: beyond it they leave, in this order, as acks free slots.
    if (t.entries.size - t.deferred.size - t.pendingResends > t.ctx.limits.maxInflight) {
      t.queueResend(id, bytes)
      return true
    }
    entry.sent = true
    t.send(t.conn, bytes, id)
    return true
  }
}
