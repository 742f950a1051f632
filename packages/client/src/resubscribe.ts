// After a reconnect on which the server no longer had the session, every live subscription is established
// again with the QoS and options it was made with (Paho Go #173, MQTT.js #895 lose them); with a present
// session nothing is repeated. MQTT 5: each filter goes out again under the Subscription Identifier the
// server's subscription on it carried, one SUBSCRIBE per identifier, so messages keep routing by identifier
// and overlapping subscriptions still get one copy each (MQTT.js resubscribes without them).
import type { SubackPacket, SubscribePacket, UserProperty } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import type { Session } from './session.js'
import type { Tracer } from './trace.js'

/** One filter as it was subscribed. */
export type SubscribeEntry = SubscribePacket['subscriptions'][number]

/** One live subscription: its identifier (MQTT 5) and the filters it holds, as they were asked for. */
export interface LiveSubscription {
  id: number | undefined
  entries: readonly SubscribeEntry[]
  /** MQTT 5: the user properties its SUBSCRIBE carried. */
  userProperties?: UserProperty[]
}

/** One SUBSCRIBE of a resubscribe: an identifier (or none), its filters and user properties. */
export interface ResubscribeGroup {
  id: number | undefined
  entries: SubscribeEntry[]
  userProperties?: UserProperty[]
}

/** Filters per SUBSCRIBE packet when resubscribing many. */
const FILTERS_PER_PACKET = 100

/**
 * What to subscribe again: each filter once, under `latestId(filter)` (the identifier its server-side
 * subscription had; undefined when identifiers are not in use). Its options are those of the subscription
 * that identifier belongs to, else of the holder asking for the highest QoS.
 */
export function resubscribePlan(subs: readonly LiveSubscription[], latestId: (filter: string) => number | undefined): ResubscribeGroup[] {
  const owner = new Map<number, LiveSubscription>()
  for (const sub of subs) if (sub.id !== undefined) owner.set(sub.id, sub)
  const byFilter = new Map<string, { entry: SubscribeEntry; id: number | undefined; exact: boolean }>()
  for (const sub of subs) {
    for (const entry of sub.entries) {
      const id = latestId(entry.filter)
      const exact = id !== undefined && id === sub.id
      const known = byFilter.get(entry.filter)
      if (!known || (exact && !known.exact) || (exact === known.exact && entry.qos > known.entry.qos)) {
        byFilter.set(entry.filter, { entry, id, exact })
      }
    }
  }
  const groups = new Map<number | undefined, ResubscribeGroup>()
  for (const { entry, id } of byFilter.values()) {
    let g = groups.get(id)
    if (!g) {
      // The identifier stands for one SUBSCRIBE: it goes out again with that SUBSCRIBE's user properties.
      const userProperties = id === undefined ? undefined : owner.get(id)?.userProperties
      groups.set(id, (g = userProperties ? { id, entries: [], userProperties } : { id, entries: [] }))
    }
    g.entries.push(entry)
  }
  return [...groups.values()]
}

/** Send SUBSCRIBE for every group (split into packets of at most 100 filters); failures go to onError. */
export function resubscribe(groups: readonly ResubscribeGroup[], session: Session, trace: Tracer, onError: (err: Error) => void): void {
  const total = groups.reduce((n, g) => n + g.entries.length, 0)
  if (total === 0) return
  if (trace.verbose) trace.debug('client', `session not present: subscribing ${total} filter(s) again`)
  for (const group of groups) {
    const properties = group.id === undefined ? undefined : { subscriptionIdentifier: group.id, userProperties: group.userProperties }
    for (let i = 0; i < group.entries.length; i += FILTERS_PER_PACKET) {
      const subscriptions = group.entries.slice(i, i + FILTERS_PER_PACKET)
      session.request((packetId) => ({ type: 'subscribe', packetId, subscriptions, properties }), 'suback', (ack) => {
        const codes = (ack as SubackPacket).reasonCodes
        const failed = subscriptions.filter((_, k) => (codes[k] ?? 0x80) >= 0x80).map((s) => s.filter)
        if (failed.length > 0) {
          onError(new MqttError('SUBSCRIBE_FAILED', `resubscribing refused for ${failed.join(', ')}`, { reasonCode: codes.find((c) => c >= 0x80) }))
        }
      }).catch((err: unknown) => {
        // The connection went again: the next reconnect resubscribes if the session is still missing.
        trace.warn('client', 'resubscribe interrupted', err)
      })
    }
  }
}
