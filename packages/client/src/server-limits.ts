// What the server told us in an MQTT 5 CONNACK, with the spec's defaults for what it left out, and the
// checks that keep our publishes and subscriptions within it.
import { parseSharedSubscription } from '@isomqtt/codec'
import type { ConnackProperties, QoS } from '@isomqtt/codec'
import { MqttError } from './errors.js'

/** The server's capabilities and limits for one connection (MQTT 5 §3.2.2.3). */
export interface ServerLimits {
  /** Most QoS 1/2 publishes the server accepts unacknowledged [65535]. */
  receiveMaximum: number
  /** Largest packet the server accepts, in bytes [no limit]. */
  maximumPacketSize: number
  /** Highest topic alias we may use; 0 means none [0]. */
  topicAliasMaximum: number
  /** Highest QoS the server accepts in PUBLISH [2]. */
  maximumQoS: QoS
  retainAvailable: boolean
  wildcardSubscriptionAvailable: boolean
  subscriptionIdentifiersAvailable: boolean
  sharedSubscriptionAvailable: boolean
  /** The keepalive the server imposes (seconds), when it sets one. */
  serverKeepAlive: number | undefined
  /** The client id the server assigned, when we sent an empty one. */
  assignedClientIdentifier: string | undefined
  /** Basis for response topics (MQTT 5 §4.10), when we asked for it and the server gave one. */
  responseInformation: string | undefined
  /** Another server to use (with CONNACK 0x9C / 0x9D). */
  serverReference: string | undefined
  /** The session expiry the server uses, when it overrides ours. */
  sessionExpiryInterval: number | undefined
}

/** Limits of an MQTT 3.1.x connection, or of an MQTT 5 server that states none. */
export const UNLIMITED: Readonly<ServerLimits> = Object.freeze({
  receiveMaximum: 65535,
  maximumPacketSize: Infinity,
  topicAliasMaximum: 0,
  maximumQoS: 2,
  retainAvailable: true,
  wildcardSubscriptionAvailable: true,
  subscriptionIdentifiersAvailable: true,
  sharedSubscriptionAvailable: true,
  serverKeepAlive: undefined,
  assignedClientIdentifier: undefined,
  responseInformation: undefined,
  serverReference: undefined,
  sessionExpiryInterval: undefined,
})

/** The limits a CONNACK's properties state; absent ones take the spec's defaults. */
export function serverLimits(p: ConnackProperties | undefined): ServerLimits {
  if (!p) return { ...UNLIMITED }
  return {
    receiveMaximum: p.receiveMaximum ?? 65535,
    maximumPacketSize: p.maximumPacketSize ?? Infinity,
    topicAliasMaximum: p.topicAliasMaximum ?? 0,
    maximumQoS: p.maximumQoS ?? 2,
    retainAvailable: p.retainAvailable ?? true,
    wildcardSubscriptionAvailable: p.wildcardSubscriptionAvailable ?? true,
    subscriptionIdentifiersAvailable: p.subscriptionIdentifiersAvailable ?? true,
    sharedSubscriptionAvailable: p.sharedSubscriptionAvailable ?? true,
    serverKeepAlive: p.serverKeepAlive,
    assignedClientIdentifier: p.assignedClientIdentifier,
    responseInformation: p.responseInformation,
    serverReference: p.serverReference,
    sessionExpiryInterval: p.sessionExpiryInterval,
  }
}

/** Throws when the server cannot accept a publish with this QoS or retain flag. */
export function checkPublishLimits(limits: ServerLimits, qos: QoS, retain: boolean): void {
  // [MQTT-3.2.2-11] no PUBLISH above the server's Maximum QoS.
  if (qos > limits.maximumQoS) {
    throw new MqttError('QOS_NOT_SUPPORTED', `the server accepts QoS ${limits.maximumQoS} at most, not ${qos}`, { reasonCode: 0x9b })
  }
  // [MQTT-3.2.2-14] no retained PUBLISH when Retain Available is 0.
  if (retain && !limits.retainAvailable) {
    throw new MqttError('RETAIN_NOT_SUPPORTED', 'the server does not support retained messages', { reasonCode: 0x9a })
  }
}

/** Throws when the server said it cannot take one of these filters (wildcards, shared subscriptions). */
export function checkSubscribeLimits(limits: ServerLimits, filters: readonly string[]): void {
  for (const f of filters) {
    const shared = parseSharedSubscription(f)
    if (shared && !limits.sharedSubscriptionAvailable) {
      throw new MqttError('SHARED_SUBSCRIPTIONS_NOT_SUPPORTED', `the server does not support shared subscriptions (${f})`, { reasonCode: 0x9e })
    }
    const inner = shared ? shared.filter : f
    if (!limits.wildcardSubscriptionAvailable && (inner.includes('+') || inner.includes('#'))) {
      throw new MqttError('WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED', `the server does not support wildcard subscriptions (${f})`, { reasonCode: 0xa2 })
    }
  }
}
