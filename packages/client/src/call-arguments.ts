// What a caller may pass to publish(), subscribe(), unsubscribe() and disconnect(), and the checks that
// refuse bad arguments at the call, before anything is queued, stored or sent.
import { validateTopicFilter, validateTopicName } from '@isomqtt/codec'
import type {
  DisconnectPacket, DisconnectProperties, PublishPacket, PublishProperties, QoS, SubscribePacket, SubscribeProperties,
  UnsubscribeProperties,
} from '@isomqtt/codec'
import { MqttError } from './errors.js'
import { kindOf, toBytes } from './options.js'
import type { MessageHandler } from './subscription.js'
import { subscribeEntries, type SubscribeDefaults, type SubscribeFilter } from './subscribe-request.js'

/** Options of one publish. */
export interface PublishOptions {
  qos?: QoS
  retain?: boolean
  /** MQTT 5 publish properties. */
  properties?: PublishProperties
}

/** Options of one subscribe: defaults for its filters (QoS, MQTT 5 options) and the iteration buffer. */
export interface SubscribeOptions extends SubscribeDefaults {
  /** Messages an iterated subscription (no handler) buffers before dropping the oldest [1000]. */
  bufferSize?: number
  /** MQTT 5 SUBSCRIBE properties (user properties; the identifier is assigned by the client). */
  properties?: SubscribeProperties
}

/** Options of unsubscribe() (its last argument). */
export interface UnsubscribeOptions {
  /** MQTT 5 UNSUBSCRIBE properties (user properties). */
  properties?: UnsubscribeProperties
}

/** Options of disconnect(). */
export interface DisconnectOptions {
  /** Wait up to this long for in-flight publishes and (un)subscribes to complete [0]. */
  quiesceMs?: number
  /** MQTT 5: the DISCONNECT reason code, e.g. 0x04 to have the will published [0]. */
  reasonCode?: number
  /** MQTT 5: DISCONNECT properties (sessionExpiryInterval, reasonString, userProperties). */
  properties?: DisconnectProperties
}

/** The QoS, or INVALID_QOS. */
export function checkQos(qos: unknown): QoS {
  if (qos !== 0 && qos !== 1 && qos !== 2) {
    throw new MqttError('INVALID_QOS', `QoS must be 0, 1 or 2, not ${typeof qos === 'string' ? `the string '${qos}'` : String(qos)}`)
  }
  return qos as QoS
}

/**
 * subscribe()'s handler and options. `subscribe(filters, options)` (no handler) is accepted too; anything else
 * in the handler's place is refused, e.g. MQTT.js's `subscribe(filter, options, callback)` order.
 */
export function subscribeCallbacks(handler: unknown, options: SubscribeOptions | undefined): [MessageHandler | undefined, SubscribeOptions] {
  if (handler === undefined || typeof handler === 'function') return [handler as MessageHandler | undefined, options ?? {}]
  if (typeof handler === 'object' && handler !== null && options === undefined) return [undefined, handler as SubscribeOptions]
  throw new MqttError('INVALID_ARGUMENT', `subscribe(filters, handler, options): the handler must be a function, not ${kindOf(handler)}`)
}

/** The PUBLISH for publish()'s arguments; throws INVALID_QOS or INVALID_TOPIC. */
export function publishPacket(topic: string, payload: string | Uint8Array, options: PublishOptions): PublishPacket {
  const qos = checkQos(options.qos ?? 0)
  validateTopicName(topic) // [MQTT-3.3.2-2] no wildcards in a topic name
  return {
    type: 'publish', topic, payload: toBytes(payload, 'payload'), qos, retain: options.retain ?? false, dup: false,
    // Set when a QoS 1/2 publish is admitted; a field from the start, so setting it does not grow the object.
    packetId: undefined, properties: options.properties,
  }
}

/** The SUBSCRIBE entries for subscribe()'s arguments (MQTT 5: checked against the server's limits by its link). */
export function subscribeList(filters: string | ReadonlyArray<string | SubscribeFilter>, options: SubscribeOptions, v5: boolean): SubscribePacket['subscriptions'] {
  const list = subscribeEntries(filters, options, checkQos, v5)
  if (list.length === 0) throw new MqttError('INVALID_ARGUMENT', 'subscribe needs at least one filter')
  return list
}

/** unsubscribe()'s filters (validated) and, when the last argument is an options object, its options. */
export function unsubscribeArguments(args: Array<string | UnsubscribeOptions>): { filters: string[]; options: UnsubscribeOptions | undefined } {
  const last = args[args.length - 1]
  const options = typeof last === 'object' ? last : undefined
  const filters = (options ? args.slice(0, -1) : args) as string[]
  for (const f of filters) validateTopicFilter(f)
  return { filters, options }
}

/** The DISCONNECT disconnect() sends, when it carries anything beyond the plain packet. */
export function disconnectPacket(options: DisconnectOptions): DisconnectPacket | undefined {
  return options.reasonCode !== undefined || options.properties
    ? { type: 'disconnect', reasonCode: options.reasonCode, properties: options.properties }
    : undefined
}
