// Reading a persistent session back from the store: held inbound QoS 2 ids and outbound packets in
// their original order (the store's first-put order).
import { decodePacket } from '@isomqtt/codec'
import type { ProtocolVersion, PublishPacket, PubrelPacket } from '@isomqtt/codec'
import type { Store } from '@isomqtt/store'
import type { Tracer } from './trace.js'

/** One stored outbound message. */
export interface StoredOutbound {
  id: number
  bytes: Uint8Array
  packet: PublishPacket | PubrelPacket
}

/** What the store holds for a session. */
export interface StoredSession {
  inbound: number[]
  outbound: StoredOutbound[]
}

/**
 * Read the store. Without a server session (`sessionPresent` false) held inbound ids are dropped from it:
 * the server has no QoS 2 exchange to finish, so they would only suppress new messages reusing the id.
 * Unreadable entries are dropped and traced.
 */
export async function readStoredSession(store: Store, version: ProtocolVersion, trace: Tracer, sessionPresent: boolean): Promise<StoredSession> {
  const result: StoredSession = { inbound: [], outbound: [] }
  for (const key of await store.keys()) {
    const id = Number(key.slice(2))
    if (!(id >= 1 && id <= 65535)) continue
    if (key.startsWith('i.')) {
      if (sessionPresent) result.inbound.push(id)
      else await store.del(key)
      continue
    }
    if (!key.startsWith('o.')) continue
    const bytes = await store.get(key)
    if (!bytes) continue
    try {
      const packet = decodePacket(bytes, version)
      if (packet.type === 'publish' || packet.type === 'pubrel') result.outbound.push({ id, bytes, packet })
    } catch (cause) {
      if (trace.on) trace.critical('store', `dropping unreadable stored packet ${key}`, cause)
      await store.del(key)
    }
  }
  return result
}
