// The server's side of an outbound QoS 1/2 exchange: PUBACK completes QoS 1; PUBREC moves QoS 2 to its
// PUBREL stage (stored, so a restart resends PUBREL and not the PUBLISH) and PUBCOMP completes it.
import { encode } from '@isomqtt/codec'
import type { AckProperties } from '@isomqtt/codec'
import type { Connection } from './connection.js'
import type { Outbound, OutboundTable } from './outbound-table.js'
import { outKey } from './store-queue.js'
import { ackOutcome } from './reason.js'

/** PUBACK, PUBREC and PUBCOMP handling for the outbound table. */
export class OutboundAcks {
  /**
   * PUBRELs read but not yet queued, in PUBREC order, each with the connection its PUBREC came on. Each is
   * queued one microtask after its PUBREC was read, so whatever the application does when a PUBCOMP read before
   * it completes its publish (a promise callback, queued earlier) goes first: the server gets this chunk's
   * answers in the order a client handling one packet at a time would send them. The bytes still leave in the
   * same write. Against Mosquitto, whose sends use Nagle's algorithm by default, that order is worth ~10% of a
   * QoS 2 window's rate (with the PUBRELs first, its answers come back in fewer, later segments).
   */
  private readonly pubrels: Array<{ conn: Connection; bytes: Uint8Array }> = []
  private readonly queueNextPubrel = (): void => {
    const { conn, bytes } = this.pubrels.shift()!
    // A connection that ended meanwhile drops it: the next session resends PUBREL for every stored one.
    if (conn.open) conn.queue.control(bytes)
  }

  constructor(private readonly table: OutboundTable) {}

  /** PUBACK: a QoS 1 publish is done. */
  puback(id: number, reasonCode: number, props?: AckProperties): void {
    const entry = this.table.entries.get(id)
    if (!entry || entry.qos !== 1) {
      if (this.table.ctx.trace.warns) this.table.ctx.trace.warn('msgids', `unexpected PUBACK id=${id}: ignored`)
      return
    }
    this.complete(id, entry, reasonCode, props)
  }

  /** PUBREC: answer PUBREL once the PUBREL stage is stored. */
  pubrec(id: number, reasonCode: number, props?: AckProperties): void {
    const t = this.table
    const entry = t.entries.get(id)
    const pubrel = encode({ type: 'pubrel', packetId: id }, t.version)
    if (!entry || entry.qos !== 2) {
      // Release it anyway so the server's state for this id ends.
      if (t.ctx.trace.warns) t.ctx.trace.warn('msgids', `unexpected PUBREC id=${id}: answering PUBREL`)
      this.sendPubrel(pubrel)
      return
    }
    // [MQTT-4.3.3-4] a PUBREC with a failure reason ends the exchange: no PUBREL, the publish rejects.
    if (reasonCode >= 0x80) {
      this.complete(id, entry, reasonCode, props)
      return
    }
    if (reasonCode !== 0) entry.recReason = reasonCode
    if (entry.stage === 'publish') {
      entry.stage = 'pubrel'
      let kept = false
      try {
        kept = t.ctx.storeQueue.putOutNow(id, pubrel)
      } catch (err) {
        // Not stored: answered anyway, as when an asynchronous put fails below.
        t.ctx.trace.critical('store', 'store operation failed', err)
        kept = true
      }
      if (kept) {
        this.sendPubrel(pubrel)
        return
      }
      t.ctx.storeQueue.run(() => t.ctx.store.put(outKey(id), pubrel)).then(
        () => { if (t.entries.get(id) === entry) t.conn?.queue.control(pubrel) },
        () => { t.conn?.queue.control(pubrel) },
      )
    } else {
      this.sendPubrel(pubrel)
    }
  }

  /** Queue PUBREL on the current connection one microtask from now (see `pubrels`). */
  private sendPubrel(bytes: Uint8Array): void {
    const conn = this.table.conn
    if (!conn) return
    this.pubrels.push({ conn, bytes })
    queueMicrotask(this.queueNextPubrel)
  }

  /** PUBCOMP: a QoS 2 publish is done (reporting PUBREC's reason, e.g. 0x10, when PUBCOMP has none). */
  pubcomp(id: number, reasonCode: number, props?: AckProperties): void {
    const entry = this.table.entries.get(id)
    if (!entry || entry.qos !== 2) {
      if (this.table.ctx.trace.warns) this.table.ctx.trace.warn('msgids', `unexpected PUBCOMP id=${id}: ignored`)
      return
    }
    this.complete(id, entry, reasonCode === 0 ? entry.recReason ?? 0 : reasonCode, props)
  }

  /** QoS 1/2 publishes dropped by writeTimeoutMs: given up, so out of the store and rejected. */
  expire(ids: number[], error: Error): void {
    for (const id of ids) {
      const entry = this.table.entries.get(id)
      if (!entry) continue
      this.table.forget(id)
      entry.reject(error)
    }
  }

  private complete(id: number, entry: Outbound, reasonCode: number, props: AckProperties | undefined): void {
    this.table.forget(id)
    const outcome = ackOutcome(id, entry.qos, reasonCode, props)
    if (outcome instanceof Error) entry.reject(outcome)
    else entry.resolve(outcome)
  }
}
