// MQTT 5 request/response (§4.10): client.request() publishes with a Response Topic and a unique
// Correlation Data and resolves with the response carrying the same correlation; the response topic is
// subscribed once per client and reused. msg.respond() is the serving side (message.ts).
import type { PublishProperties, QoS } from '@isomqtt/codec'
import { durationMs } from './durations.js'
import { MqttError } from './errors.js'
import type { Message } from './message.js'
import type { PublishResult } from './publish-result.js'
import type { TimerHandle, TimerSource } from './timers.js'

/** Options of client.request(). */
export interface RequestOptions {
  /** Reject with TIMEOUT when no response arrives within this time [30 000 ms]. */
  timeoutMs?: number
  /** QoS of the request and of the response subscription [1]. */
  qos?: QoS
  /** More publish properties (responseTopic and correlationData are set by request()). */
  properties?: PublishProperties
}

/** What the requester needs from the client. */
export interface RequesterHost {
  /** The response topic's prefix: the server's Response Information, or a default. */
  responseTopicPrefix(): string
  /** Subscribe the response topic; the handle says whether the subscription is still active. */
  subscribe(filter: string, qos: QoS, handler: (m: Message) => void): Promise<{ readonly active: boolean }>
  publish(topic: string, payload: string | Uint8Array, qos: QoS, properties: PublishProperties): Promise<PublishResult>
  readonly timers: TimerSource
}

interface Pending {
  resolve: (m: Message) => void
  reject: (e: Error) => void
  timer: TimerHandle
}

function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes)
  globalThis.crypto.getRandomValues(b)
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

function hexOf(data: Uint8Array | undefined): string | undefined {
  if (!data) return undefined
  let s = ''
  for (const x of data) s += x.toString(16).padStart(2, '0')
  return s
}

/** One client's outstanding requests and its response subscription. */
export class Requester {
  private topic: string | undefined
  private sub: Promise<{ readonly active: boolean }> | undefined
  private readonly pending = new Map<string, Pending>()
  // A random prefix per client plus a counter: unique without a random draw per request.
  private readonly prefix = randomHex(8)
  private counter = 0
  private readonly encoder = new TextEncoder()

  constructor(private readonly host: RequesterHost) {}

  /** Requests waiting for their response. */
  get size(): number {
    return this.pending.size
  }

  /** The response topic (subscribing it on first use, and again when the subscription ended). */
  private async responseTopic(qos: QoS): Promise<string> {
    this.topic ??= `${this.host.responseTopicPrefix()}/${this.prefix}`
    if (this.sub) {
      const s = await this.sub.catch(() => undefined)
      if (s?.active) return this.topic
    }
    this.sub = this.host.subscribe(this.topic, qos, (m) => this.response(m))
    try {
      await this.sub
    } catch (err) {
      this.sub = undefined
      throw err
    }
    return this.topic
  }

  /** Publish a request and resolve with its response. */
  async request(topic: string, payload: string | Uint8Array, options: RequestOptions = {}): Promise<Message> {
    const qos = options.qos ?? 1
    const timeoutMs = durationMs(options.timeoutMs, 30_000, 'timeoutMs')
    const responseTopic = await this.responseTopic(qos)
    const key = `${this.prefix}${(this.counter++).toString(16)}`
    const correlationData = this.encoder.encode(key)
    const answer = new Promise<Message>((resolve, reject) => {
      const timer = this.host.timers.setTimeout(() => {
        this.pending.delete(hexOf(correlationData)!)
        reject(new MqttError('TIMEOUT', `no response on ${topic} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(hexOf(correlationData)!, { resolve, reject, timer })
    })
    try {
      await this.host.publish(topic, payload, qos, { ...options.properties, responseTopic, correlationData })
    } catch (err) {
      this.settle(hexOf(correlationData)!, err as Error)
      answer.catch(() => {})
      throw err
    }
    return answer
  }

  /** Any message as it arrives: one on the response topic settles the request it answers. */
  arrived(message: Message): void {
    if (message.topic === this.topic) this.response(message)
  }

  /** A message on the response topic: resolve the request it answers; others are ignored. */
  response(message: Message): void {
    const key = hexOf(message.properties?.correlationData)
    if (key !== undefined) this.settle(key, undefined, message)
  }

  private settle(key: string, error: Error | undefined, message?: Message): void {
    const p = this.pending.get(key)
    if (!p) return
    this.pending.delete(key)
    this.host.timers.clearTimeout(p.timer)
    if (error) p.reject(error)
    else p.resolve(message!)
  }

  /** The client closed: every outstanding request rejects. */
  close(error: Error): void {
    for (const key of [...this.pending.keys()]) this.settle(key, error)
    this.sub = undefined
  }
}
