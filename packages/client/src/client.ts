// The public surface: connect / createClient, MqttClient with publish, subscribe, unsubscribe, disconnect,
// destroy and events. Protocol work lives in session, connection, connector, dispatcher and router.
import { validateTopicFilter, validateTopicName } from '@isomqtt/codec'
import type { ProtocolVersion, PublishProperties, QoS, SubackPacket } from '@isomqtt/codec'
import { MemoryStore } from '@isomqtt/store'
import { Emitter } from './emitter.js'
import { MqttError } from './errors.js'
import type { Message } from './message.js'
import { resolveOptions, toBytes, type ClientOptions, type ResolvedOptions } from './options.js'
import type { PublishResult, ResumedReceipt } from './publish-result.js'
import type { ReconnectingInfo } from './reconnect.js'
import type { SubscribeEntry } from './resubscribe.js'
import { Router } from './router.js'
import { Runtime } from './runtime.js'
import { Subscription, type GrantedFilter, type MessageHandler, type SubscriptionOwner } from './subscription.js'

/** What connect() resolves with. */
export interface ConnectResult {
  /** The server still had this client's session. */
  sessionPresent: boolean
  /** One receipt per in-flight message carried over from a persistent session, in original order. */
  resumed: ResumedReceipt[]
}

/** Options of one publish. */
export interface PublishOptions {
  qos?: QoS
  retain?: boolean
  /** MQTT 5 publish properties. */
  properties?: PublishProperties
}

/** Options of one subscribe. */
export interface SubscribeOptions {
  /** QoS for filters given as strings [0]. */
  qos?: QoS
  /** Messages an iterated subscription (no handler) buffers before dropping the oldest [1000]. */
  bufferSize?: number
}

/** Options of disconnect(). */
export interface DisconnectOptions {
  /** Wait up to this long for in-flight publishes and (un)subscribes to complete [0]. */
  quiesceMs?: number
}

/** Client events. */
export interface ClientEvents {
  [event: string]: (...args: never[]) => void
  connect: (result: ConnectResult) => void
  connectionLost: (error: Error) => void
  message: (message: Message) => void
  error: (error: Error) => void
  close: () => void
  /** A reconnect attempt is scheduled: its number, the backoff delay before it, the server it starts from. */
  reconnecting: (info: ReconnectingInfo) => void
}

const QOS_VALUES = [0, 1, 2]

function checkQos(qos: unknown): QoS {
  if (!QOS_VALUES.includes(qos as number)) throw new MqttError('INVALID_QOS', `QoS must be 0, 1 or 2, not ${String(qos)}`)
  return qos as QoS
}

/** An MQTT client. Create with `connect()` or `createClient()`; reusable after disconnect. */
export class MqttClient extends Emitter<ClientEvents> implements SubscriptionOwner {
  /** The options with defaults applied. */
  readonly options: ResolvedOptions
  private readonly router = new Router<Subscription>()
  private readonly subs = new Set<Subscription>()
  /** Each subscription's filters as asked (QoS, options): what a reconnect without session subscribes again. */
  private readonly requested = new WeakMap<Subscription, SubscribeEntry[]>()
  private readonly rt: Runtime

  constructor(options: ClientOptions) {
    super()
    this.options = resolveOptions(options)
    const store = this.options.store ?? new MemoryStore()
    this.rt = new Runtime(this.options, store, this.router, {
      emit: (event, arg) => this.emit(event as 'error', arg as Error),
      hasListeners: (event) => this.has(event),
      endSubscriptions: () => this.endAllSubscriptions(),
      liveSubscriptions: () => this.liveSubscriptions(),
    })
  }

  /** The server of the current (or last) connection. */
  get server(): URL | undefined {
    return this.rt.server
  }

  /** True exactly while an MQTT connection is established and not closing. */
  get connected(): boolean {
    return this.rt.state === 'connected'
  }

  /** The lifecycle state: idle, connecting, connected, disconnecting, closed. */
  get state(): string {
    return this.rt.state
  }

  /** The protocol version of the current (or last) connection. */
  get protocolVersion(): ProtocolVersion {
    return this.rt.version
  }

  /** The result of the last successful connect (session present, resumed receipts). */
  get lastConnect(): ConnectResult | undefined {
    return this.rt.lastConnect
  }

  /** Connect to the first server that accepts; resolves with the session state and resumed receipts. */
  connect(): Promise<ConnectResult> {
    return this.rt.connect()
  }

  /** Publish; settles at the protocol's completion (QoS 0 written, 1 PUBACK, 2 PUBCOMP). */
  publish(topic: string, payload: string | Uint8Array, options: PublishOptions = {}): Promise<PublishResult> {
    let qos: QoS
    try {
      qos = checkQos(options.qos ?? 0)
      validateTopicName(topic) // [MQTT-3.3.2-2] no wildcards in a topic name
    } catch (err) {
      return Promise.reject(err)
    }
    return this.rt.publish({
      type: 'publish', topic, payload: toBytes(payload), qos, retain: options.retain ?? false, dup: false,
      properties: options.properties,
    })
  }

  /** Subscribe to one filter or several; resolves at SUBACK with the granted QoS per filter. */
  async subscribe(
    filters: string | Array<{ filter: string; qos?: QoS }>,
    handler?: MessageHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const list = (typeof filters === 'string' ? [{ filter: filters, qos: options.qos }] : filters).map((f) => {
      validateTopicFilter(f.filter)
      return { filter: f.filter, qos: checkQos(f.qos ?? options.qos ?? 0) }
    })
    if (list.length === 0) throw new MqttError('INVALID_ARGUMENT', 'subscribe needs at least one filter')
    return this.rt.request(
      (packetId) => ({ type: 'subscribe', packetId, subscriptions: list }),
      'suback',
      (ack) => {
        const codes = (ack as SubackPacket).reasonCodes
        const failed = list.filter((_, i) => (codes[i] ?? 0x80) >= 0x80).map((f) => f.filter)
        if (failed.length > 0) {
          throw new MqttError('SUBSCRIBE_FAILED', `subscription refused for ${failed.join(', ')}`, { reasonCode: codes.find((c) => c >= 0x80) })
        }
        const granted: GrantedFilter[] = list.map((f, i) => ({ filter: f.filter, qos: codes[i] as QoS }))
        // Routes are added as SUBACK is read, so a retained message right behind it is routed here.
        const sub = new Subscription(this, granted, handler, options.bufferSize)
        for (const g of granted) this.router.add(g.filter, sub)
        this.subs.add(sub)
        this.requested.set(sub, list)
        return sub
      },
    )
  }

  /** Unsubscribe filters (the seed's EndSubscription): every subscription on them stops; resolves at UNSUBACK. */
  async unsubscribe(...filters: string[]): Promise<void> {
    for (const f of filters) validateTopicFilter(f)
    if (filters.length === 0) return
    await this.rt.request((packetId) => ({ type: 'unsubscribe', packetId, filters }), 'unsuback', () => {
      for (const f of filters) {
        for (const sub of this.router.routesOf(f)) {
          this.router.remove(f, sub)
          if (!sub.filters.some((g) => this.router.routesOf(g.filter).includes(sub))) {
            sub.end()
            this.subs.delete(sub)
          }
        }
      }
    })
  }

  /** @internal `sub.unsubscribe()`: UNSUBSCRIBE only the filters no other subscription holds. */
  async endSubscription(sub: Subscription): Promise<void> {
    for (const g of sub.filters) this.router.remove(g.filter, sub)
    sub.end()
    this.subs.delete(sub)
    const orphaned = [...new Set(sub.filters.map((g) => g.filter))].filter((f) => this.router.routesOf(f).length === 0)
    if (orphaned.length === 0 || !this.connected) return
    await this.rt.request((packetId) => ({ type: 'unsubscribe', packetId, filters: orphaned }), 'unsuback', () => undefined)
  }

  /** Let in-flight work finish for up to quiesceMs, send DISCONNECT and close. Always settles. */
  disconnect(options: DisconnectOptions = {}): Promise<void> {
    return this.rt.disconnect(options.quiesceMs ?? 0)
  }

  /** Drop the connection at once (no DISCONNECT: the server publishes the will). */
  destroy(): void {
    this.rt.destroy()
  }

  private liveSubscriptions(): SubscribeEntry[] {
    const out: SubscribeEntry[] = []
    for (const sub of this.subs) {
      for (const e of this.requested.get(sub) ?? []) if (this.router.routesOf(e.filter).includes(sub)) out.push(e)
    }
    return out
  }

  private endAllSubscriptions(): void {
    for (const sub of this.subs) {
      for (const g of sub.filters) this.router.remove(g.filter, sub)
      sub.end()
    }
    this.subs.clear()
  }
}

/** A client that is not connected yet: call `client.connect()`. */
export function createClient(options: ClientOptions): MqttClient {
  return new MqttClient(options)
}

/** Connect to a server (or the first of several that accepts) and resolve the connected client. */
export async function connect(url: string | URL | Array<string | URL>, options: ClientOptions = {}): Promise<MqttClient> {
  const servers = [...(Array.isArray(url) ? url : [url]), ...(options.servers ?? [])]
  const client = new MqttClient({ ...options, servers })
  await client.connect()
  return client
}

