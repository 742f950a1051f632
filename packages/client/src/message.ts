// The application message handed to handlers and async iterators.
import type { PublishPacket, PublishProperties, QoS } from '@isomqtt/codec'

const decoder = new TextDecoder()

/** A received application message. */
export class Message {
  /** The topic it was published to. */
  readonly topic: string
  /** The payload bytes (a view: copy it if you modify it). */
  readonly payload: Uint8Array
  /** QoS it was delivered with. */
  readonly qos: QoS
  /** True for a retained message sent on subscribe. */
  readonly retain: boolean
  /** True when the server says this may be a redelivery. */
  readonly dup: boolean
  /** The packet id (QoS 1 and 2 only). */
  readonly packetId: number | undefined
  /** MQTT 5 properties, when any. */
  readonly properties: PublishProperties | undefined

  constructor(packet: PublishPacket) {
    this.topic = packet.topic
    this.payload = packet.payload
    this.qos = packet.qos
    this.retain = packet.retain
    this.dup = packet.dup
    this.packetId = packet.packetId
    this.properties = packet.properties
  }

  /** The payload decoded as UTF-8. */
  text(): string {
    return decoder.decode(this.payload)
  }

  /** The payload parsed as JSON (throws SyntaxError on invalid JSON). */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T
  }
}
