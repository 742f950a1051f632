// After a reconnect on which the server no longer had the session, every live subscription is established
// again with the QoS and options it was made with (Paho Go #173, MQTT.js #895 lose them); with a present
// session nothing is repeated.
import type { SubackPacket, SubscribePacket } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import type { Session } from './session.js'
import type { Tracer } from './trace.js'

/** One filter as it was subscribed. */
export type SubscribeEntry = SubscribePacket['subscriptions'][number]

/** Filters per SUBSCRIBE packet when resubscribing many. */
const FILTERS_PER_PACKET = 100

/** Send SUBSCRIBE for every entry (one per filter, the highest QoS asked for it); failures go to onError. */
export function resubscribe(entries: SubscribeEntry[], session: Session, trace: Tracer, onError: (err: Error) => void): void {
  const byFilter = new Map<string, SubscribeEntry>()
  for (const e of entries) {
    const known = byFilter.get(e.filter)
    if (!known || e.qos > known.qos) byFilter.set(e.filter, e)
  }
  const all = [...byFilter.values()]
  if (all.length === 0) return
  trace.debug('client', `session not present: subscribing ${all.length} filter(s) again`)
  for (let i = 0; i < all.length; i += FILTERS_PER_PACKET) {
    const subscriptions = all.slice(i, i + FILTERS_PER_PACKET)
    session.request((packetId) => ({ type: 'subscribe', packetId, subscriptions }), 'suback', (ack) => {
      const codes = (ack as SubackPacket).reasonCodes
      const failed = subscriptions.filter((_, k) => (codes[k] ?? 0x80) >= 0x80).map((s) => s.filter)
      if (failed.length > 0) {
        onError(new MqttError('SUBSCRIBE_FAILED', `resubscribing refused for ${failed.join(', ')}`, { reasonCode: codes.find((c) => c >= 0x80) }))
      }
    }).catch((err: unknown) => {
      // The connection went again: the next reconnect resubscribes if the session is still missing.
      trace.warn('client', `resubscribe interrupted: ${err instanceof Error ? err.message : String(err)}`)
    })
  }
}
