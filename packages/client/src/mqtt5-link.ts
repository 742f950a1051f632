// The MQTT 5 state of one connection: the server's CONNACK limits, both topic-alias tables and the inbound
// flow-control quota. Made at CONNACK, dropped with the connection, so nothing of it leaks into the next.
import { encode, encodedLength } from '@isomqtt/codec'
import type { ConnackProperties, ConnectProperties, PublishPacket } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import { DEFAULT_RECEIVE_MAXIMUM, InboundQuota } from './flow-control.js'
import { checkPublishLimits, checkSubscribeLimits, serverLimits, type ServerLimits } from './server-limits.js'
import { InboundAliases, OutboundAliases } from './topic-alias.js'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** True when the bytes are well-formed UTF-8 (for Payload Format Indicator 1). */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes)
    return true
  } catch {
    return false
  }
}

/** Per-connection MQTT 5 state. */
export class Mqtt5Link {
  readonly limits: ServerLimits
  private readonly outAliases: OutboundAliases
  private readonly inAliases: InboundAliases
  readonly quota: InboundQuota

  constructor(connack: ConnackProperties | undefined, ours: ConnectProperties | undefined, aliases = true) {
    this.limits = serverLimits(connack)
    this.outAliases = new OutboundAliases(aliases ? this.limits.topicAliasMaximum : 0)
    this.inAliases = new InboundAliases(ours?.topicAliasMaximum ?? 0)
    this.quota = new InboundQuota(ours?.receiveMaximum ?? DEFAULT_RECEIVE_MAXIMUM)
  }

  /**
   * Throws when this publish cannot go to the server: QoS or retain it does not support, a payload marked
   * as text that is not UTF-8, or a packet above its Maximum Packet Size (checked without an alias, as the
   * stored copy is what a later connection would resend) [MQTT-3.1.2-24].
   */
  check(packet: PublishPacket): void {
    checkPublishLimits(this.limits, packet.qos, packet.retain)
    if (packet.properties?.payloadFormatIndicator && !isUtf8(packet.payload)) {
      throw new MqttError('PAYLOAD_FORMAT_INVALID', 'payloadFormatIndicator says text but the payload is not UTF-8', { reasonCode: 0x99 })
    }
    if (packet.properties?.topicAlias !== undefined) {
      throw new MqttError('INVALID_ARGUMENT', 'topic aliases are assigned by the client; do not set topicAlias')
    }
    const max = this.limits.maximumPacketSize
    if (max !== Infinity) {
      const size = encodedLength({ ...packet, packetId: packet.qos > 0 ? 1 : undefined }, 5)
      if (size > max) {
        throw new MqttError('PACKET_TOO_LARGE', `the publish is ${size} bytes, above the server's Maximum Packet Size ${max}`, { reasonCode: 0x95 })
      }
    }
  }

  /** Throws when the server said it cannot take one of these filters (wildcards, shared subscriptions). */
  checkFilters(filters: readonly string[]): void {
    checkSubscribeLimits(this.limits, filters)
  }

  /** The bytes to write for a publish: with a topic alias when the server allows them, else `plain`. */
  wire(packet: PublishPacket, plain: Uint8Array | undefined): Uint8Array {
    const choice = this.outAliases.assign(packet.topic)
    if (!choice) return plain ?? encode(packet, 5)
    // Object.assign rather than spreads: a spread followed by properties is a slow path in V8 (per publish here).
    return encode(Object.assign({}, packet, {
      topic: choice.sendTopic ? packet.topic : '',
      properties: Object.assign({}, packet.properties, { topicAlias: choice.alias }),
    }), 5)
  }

  /** Resolve a received publish's topic alias in place; throws a protocol error (with its reason code). */
  inbound(packet: PublishPacket): void {
    const alias = packet.properties?.topicAlias
    if (alias === undefined) return
    packet.topic = this.inAliases.resolve(packet.topic, alias)
  }
}
