// The application message handed to handlers and async iterators.
import type { PublishPacket, PublishProperties, QoS } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import type { PublishResult } from './publish-result.js'

/** Options of msg.respond(). */
export interface RespondOptions {
  /** QoS of the response [the request's QoS]. */
  qos?: QoS
  /** More properties (correlationData is copied from the request). */
  properties?: PublishProperties
}

/** Publishes a response for Message.respond() (the client that received the message). */
export type Responder = (request: Message, payload: string | Uint8Array, options: RespondOptions) => Promise<PublishResult>

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

  /** @internal the receiving client's way to publish a response */
  private readonly responder: Responder | undefined
  /** @internal the connection it arrived on (its acknowledgement goes only there); a field, not a WeakMap entry per message */
  connectionGen = 0
  /** @internal iterated subscriptions whose loops are not done with it yet (QoS 1/2: its acknowledgement waits for them) */
  untaken = 0
  /** @internal the handlers were done before the loops: acknowledge it when the last loop is */
  ackDeferred = false
  /**
   * @internal QoS 2: settles once its packet id is in the store; it is delivered only then, so a crash in
   * between cannot make the server's redelivery look new and deliver it twice
   */
  ready: Promise<void> | undefined = undefined

  constructor(packet: PublishPacket, responder?: Responder) {
    this.responder = responder
    this.topic = packet.topic
    this.payload = packet.payload
    this.qos = packet.qos
    this.retain = packet.retain
    this.dup = packet.dup
    this.packetId = packet.packetId
    this.properties = packet.properties
  }

  /**
   * MQTT 5 request/response: publish `payload` to this message's Response Topic with its Correlation
   * Data. Rejects with INVALID_ARGUMENT when the message has no response topic.
   */
  respond(payload: string | Uint8Array, options: RespondOptions = {}): Promise<PublishResult> {
    if (!this.responder) return Promise.reject(new MqttError('INVALID_ARGUMENT', 'this message cannot be answered (MQTT 5 only)'))
    return this.responder(this, payload, options)
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

/** The properties of a response to `request`: its correlation data, plus the caller's own. */
export function responseProperties(request: Message, extra: PublishProperties | undefined): { topic: string; properties: PublishProperties } {
  const topic = request.properties?.responseTopic
  if (!topic) throw new MqttError('INVALID_ARGUMENT', `the message on ${request.topic} has no response topic`)
  const correlationData = request.properties?.correlationData
  return { topic, properties: correlationData ? { ...extra, correlationData } : { ...extra } }
}
