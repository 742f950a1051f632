// Building a SUBSCRIBE from what the user asked for, and reading its SUBACK: the filter options of MQTT 5
// (noLocal, retainAsPublished, retainHandling), the Subscription Identifier, and a reason per filter.
// Also reading an UNSUBACK, whose MQTT 5 reason codes can refuse a filter.
import { validateTopicFilter } from '@isomqtt/codec'
import type { QoS, RetainHandling, SubackPacket, SubscribePacket, SubscribeProperties, UnsubackPacket } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import { kindOf } from './options.js'
import { reasonError, reasonText } from './reason.js'
import type { GrantedFilter } from './subscription.js'

/** One filter to subscribe, with its MQTT 5 options (ignored by MQTT 3.1.x). */
export interface SubscribeFilter {
  filter: string
  qos?: QoS
  /** MQTT 5: do not deliver our own publishes back to us. */
  noLocal?: boolean
  /** MQTT 5: keep the RETAIN flag as published on live delivery. */
  retainAsPublished?: boolean
  /** MQTT 5: 0 send retained messages on subscribe, 1 only for a new subscription, 2 never [0]. */
  retainHandling?: RetainHandling
}

/** The per-call defaults of subscribe(): apply to filters given as strings or without their own. */
export type SubscribeDefaults = Omit<SubscribeFilter, 'filter'>

/** A SUBSCRIBE refused for at least one filter: `reasonCodes` has the SUBACK code of every filter. */
export interface SubscribeError extends MqttError {
  reasonCodes: number[]
}

/** The entries of a SUBSCRIBE, validated, with defaults applied; MQTT 3.1.x carries only filter and QoS. */
export function subscribeEntries(
  filters: string | ReadonlyArray<string | SubscribeFilter>,
  defaults: SubscribeDefaults,
  checkQos: (q: unknown) => QoS,
  v5: boolean,
): SubscribePacket['subscriptions'] {
  if (typeof filters === 'string') filters = [filters]
  else if (!Array.isArray(filters)) {
    throw new MqttError('INVALID_ARGUMENT', `subscribe takes a topic filter, or an array of filters or { filter } entries, not ${kindOf(filters)}`)
  }
  return filters.map((given) => {
    const f = typeof given === 'string' ? { filter: given } : given
    validateTopicFilter(f?.filter)
    const qos = checkQos(f.qos ?? defaults.qos ?? 0)
    if (!v5) return { filter: f.filter, qos }
    const entry: SubscribePacket['subscriptions'][number] = { filter: f.filter, qos }
    const noLocal = f.noLocal ?? defaults.noLocal
    const rap = f.retainAsPublished ?? defaults.retainAsPublished
    const rh = f.retainHandling ?? defaults.retainHandling
    if (noLocal) entry.noLocal = true
    if (rap) entry.retainAsPublished = true
    if (rh) entry.retainHandling = rh
    return entry
  })
}

/** SUBSCRIBE properties: the identifier (when the server supports them) and the user's properties. */
export function subscribeProperties(id: number | undefined, user: SubscribeProperties | undefined): SubscribeProperties | undefined {
  if (id === undefined) return user
  return { ...user, subscriptionIdentifier: id }
}

/** The granted filters of a SUBACK; throws SUBSCRIBE_FAILED (with every filter's code) when one was refused. */
export function grantedFilters(list: SubscribePacket['subscriptions'], ack: SubackPacket, v5: boolean): GrantedFilter[] {
  const codes = ack.reasonCodes
  const failed = list.filter((_, i) => (codes[i] ?? 0x80) >= 0x80)
  if (failed.length > 0) {
    const first = codes.find((c) => c >= 0x80)!
    const why = v5 ? `: ${reasonText(first)}${ack.properties?.reasonString ? ` (${ack.properties.reasonString})` : ''}` : ''
    const err = new MqttError('SUBSCRIBE_FAILED', `subscription refused for ${failed.map((f) => f.filter).join(', ')}${why}`, { reasonCode: first }) as SubscribeError
    err.reasonCodes = list.map((_, i) => codes[i] ?? 0x80)
    throw err
  }
  return list.map((f, i) => (v5 ? { filter: f.filter, qos: codes[i] as QoS, reasonCode: codes[i]! } : { filter: f.filter, qos: codes[i] as QoS }))
}

/** Throws UNSUBSCRIBE_FAILED when an MQTT 5 UNSUBACK refused a filter (e.g. 0x87): the server keeps it, so the client does too. */
export function checkUnsuback(ack: UnsubackPacket): void {
  const refused = ack.reasonCodes?.find((c) => c >= 0x80)
  if (refused !== undefined) throw reasonError('unsubscribe refused', refused, { code: 'UNSUBSCRIBE_FAILED', reasonString: ack.properties?.reasonString })
}
