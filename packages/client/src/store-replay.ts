// Starting a session on a new connection from what the store holds: a clean start keeps only what can be
// sent again safely; a resume resends every stored message in its original order.
import { MqttError } from './errors.js'
import type { InboundQos2 } from './inbound-qos2.js'
import { newOutbound, type OutboundTable } from './outbound-table.js'
import type { ResumedReceipt } from './publish-result.js'
import { readStoredSession } from './session-replay.js'

/**
 * A clean session started on the attached connection. Messages never sent, and QoS 1 ones, are sent
 * again as part of the new session (at least once holds). A QoS 2 message already sent cannot be sent
 * again without risking a duplicate: it fails with DISCARDED, unless PUBREC had arrived (the server
 * took it over), when it resolves. Everything else the store held is forgotten.
 */
export function cleanStart(table: OutboundTable, inbound: InboundQos2): ResumedReceipt[] | Promise<ResumedReceipt[]> {
  // Created only when needed: an Error captures a stack, and a clean start is part of every connect.
  let discarded: MqttError | undefined
  // A new client's table is empty: not even an iterator then, on a path every connect takes.
  if (table.entries.size > 0) {
    for (const [id, entry] of table.entries) {
      if (entry.qos !== 2 || !entry.sent) continue
      table.forget(id)
      if (entry.stage === 'pubrel') entry.resolve({ packetId: id, qos: 2, reasonCode: 0 })
      else entry.reject(discarded ??= new MqttError('DISCARDED', 'the session was cleaned: a QoS 2 message in flight was given up'))
    }
  }
  // Nothing in memory and nothing stored (a fresh client: the common connect) leaves nothing to replay:
  // done at once, without the store round trips (and promise turns) that would add to every connect.
  if (table.entries.size === 0 && table.deferred.size === 0 && table.ctx.storeQueue.emptyNow()) {
    inbound.clear()
    return []
  }
  return replayAfterClean(table, inbound)
}

async function replayAfterClean(table: OutboundTable, inbound: InboundQos2): Promise<ResumedReceipt[]> {
  const store = table.ctx.store
  await table.ctx.storeQueue.run(async () => {
    for (const key of await store.keys()) {
      if (!(key.startsWith('o.') && table.entries.has(Number(key.slice(2))))) await store.del(key)
    }
  })
  return resume(table, inbound, false)
}

/**
 * Resume a persistent session on the attached connection: resend the store's messages in their
 * original order (PUBLISH with DUP set, PUBREL for those past PUBREC) and hold stored inbound ids.
 */
export async function resume(table: OutboundTable, inbound: InboundQos2, sessionPresent: boolean): Promise<ResumedReceipt[]> {
  const { store, storeQueue, trace, ids, limits } = table.ctx
  await storeQueue.settled()
  const receipts: ResumedReceipt[] = []
  if (!sessionPresent) inbound.clear()
  const stored = await readStoredSession(store, table.version, trace, sessionPresent)
  inbound.load(stored.inbound)
  let resent = 0
  for (const { id, bytes, packet } of stored.outbound) {
    // Offline-queued publishes leave with the offline queue, in its order.
    if (table.deferred.has(id)) continue
    const stage = packet.type === 'publish' ? 'publish' : 'pubrel'
    let entry = table.entries.get(id)
    if (!entry) {
      entry = newOutbound(packet.type === 'publish' ? packet.qos : 2, packet.type === 'publish' ? packet.topic : undefined, stage, true)
      table.entries.set(id, entry)
      ids.claim(id)
    }
    entry.stage = stage
    receipts.push({ packetId: id, topic: entry.topic, stage, done: entry.promise })
    if (stage === 'publish') {
      // [MQTT-3.3.1-1] DUP is set on a redelivery; flipping the bit keeps the stored bytes otherwise exact.
      let out = bytes
      if (entry.sent) {
        out = bytes.slice()
        out[0] = out[0]! | 0x08
      }
      entry.sent = true
      if ((table.version === 5 || table.probe?.probing) && resent >= limits.maxInflight) table.queueResend(id, out)
      else if (table.conn) table.send(table.conn, out, id)
      resent++
    } else {
      table.conn?.queue.control(bytes)
    }
  }
  if (trace.verbose) trace.debug('state', `resumed ${receipts.length} in-flight message(s)`)
  return receipts
}
