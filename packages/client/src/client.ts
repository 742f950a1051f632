// The public surface: connect / createClient, MqttClient with publish, subscribe, unsubscribe, disconnect,
// destroy and events. Protocol work lives in session, connection, connector, dispatcher and router.
import { validateTopicFilter, validateTopicName } from '@isomqtt/codec'
import type { DisconnectProperties, ProtocolVersion, UserProperty, PublishProperties, QoS, SubackPacket, SubscribeProperties, UnsubackPacket, UnsubscribeProperties } from '@isomqtt/codec'
import { MemoryStore } from '@isomqtt/store'
import { Emitter } from './emitter.js'
import { MqttError } from './errors.js'
import type { Message } from './message.js'
import { Requester, responseProperties, type RequestOptions } from './request-response.js'
import { reasonError } from './reason.js'
import type { ServerLimits } from './server-limits.js'
import { checkSubscribeLimits } from './server-limits.js'
import { grantedFilters, subscribeEntries, subscribeProperties, type SubscribeDefaults, type SubscribeFilter } from './subscribe-request.js'
import { resolveOptions, toBytes, type ClientOptions, type ResolvedOptions } from './options.js'
import type { PublishResult, ResumedReceipt } from './publish-result.js'
import type { ReconnectingInfo } from './reconnect.js'
import { resubscribePlan, type ResubscribeGroup, type SubscribeEntry } from './resubscribe.js'
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
  /** The offline queue's depth changed (see `client.offlineQueueDepth`). */
  offlineQueueDepth: (depth: number) => void
}

function checkQos(qos: unknown): QoS {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new MqttError('INVALID_QOS', `QoS must be 0, 1 or 2, not ${String(qos)}`)
  return qos as QoS
}

/** An MQTT client. Create with `connect()` or `createClient()`; reusable after disconnect. */
export class MqttClient extends Emitter<ClientEvents> implements SubscriptionOwner {
  /** The options with defaults applied. */
  readonly options: ResolvedOptions
  private readonly router = new Router<Subscription>()
  private readonly subs = new Set<Subscription>()
  /** Each subscription's filters as asked (QoS, options): what a reconnect without session subscribes again. */
  /** Filters of unsubscribe() calls waiting for the connection. */
  private readonly leaving = new Set<string>()
  private readonly requested = new WeakMap<Subscription, { entries: SubscribeEntry[]; userProperties?: UserProperty[] }>()
  private readonly rt: Runtime
  private requester: Requester | undefined

  constructor(options: ClientOptions) {
    super()
    this.options = resolveOptions(options)
    // Encoded packets are never written to after put(), so the default store keeps them without a copy.
    const store = this.options.store ?? new MemoryStore({ adopt: true })
    this.rt = new Runtime(this.options, store, this.router, {
      emit: (event, arg) => this.emit(event as 'error', arg as Error),
      hasListeners: (event) => this.has(event),
      endSubscriptions: () => this.endAllSubscriptions(),
      liveSubscriptions: () => this.liveSubscriptions(),
    })
    this.rt.responder = (request, payload, o) => {
      const { topic, properties } = responseProperties(request, o.properties)
      return this.publish(topic, payload, { qos: o.qos ?? request.qos, properties })
    }
  }

  /** MQTT 5: what the server's CONNACK allows (receive maximum, packet size, aliases, QoS, ...). */
  get serverLimits(): ServerLimits | undefined {
    return this.rt.version === 5 && this.rt.v5.link ? this.rt.v5.limits : undefined
  }

  /** The client id in use (MQTT 5: the server's Assigned Client Identifier when it gave one). */
  get clientId(): string {
    return this.options.clientId
  }

  /** The keepalive in use, seconds (MQTT 5: the server's Server Keep Alive when it set one). */
  get keepalive(): number {
    return this.rt.keepaliveSeconds
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

  /** Publishes accepted while no connection was up (before connect, while reconnecting) and not sent yet. */
  get offlineQueueDepth(): number {
    return this.rt.offlineQueueDepth
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
    filters: string | SubscribeFilter[],
    handler?: MessageHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const v5 = this.rt.version === 5
    const list = subscribeEntries(filters, options, checkQos, v5)
    if (list.length === 0) throw new MqttError('INVALID_ARGUMENT', 'subscribe needs at least one filter')
    if (v5) checkSubscribeLimits(this.rt.v5.limits, list.map((f) => f.filter))
    // MQTT 5: one Subscription Identifier per SUBSCRIBE routes what it brings to this subscription. Chosen
    // when the packet is built: one made while reconnecting learns the new server's limits first.
    let id: number | undefined
    return this.rt.request(
      (packetId) => {
        id = v5 && this.rt.v5.limits.subscriptionIdentifiersAvailable ? this.rt.v5.subIds.allocate() : undefined
        return { type: 'subscribe', packetId, subscriptions: list, properties: v5 ? subscribeProperties(id, options.properties) : undefined }
      },
      'suback',
      (ack) => {
        const granted: GrantedFilter[] = grantedFilters(list, ack as SubackPacket, v5)
        // Routes are added as SUBACK is read, so a retained message right behind it is routed here.
        const sub = new Subscription(this, granted, handler, options.bufferSize)
        sub.subscriptionIdentifier = id
        if (v5) this.rt.v5.subIds.bind(id ?? 0, list.map((f) => f.filter), sub)
        for (const g of granted) this.router.add(g.filter, sub)
        this.subs.add(sub)
        this.requested.set(sub, { entries: list, userProperties: v5 ? options.properties?.userProperties : undefined })
        return sub
      },
    )
  }

  /**
   * Unsubscribe filters (the seed's EndSubscription): every subscription on them stops; resolves at UNSUBACK.
   * MQTT 5: a last argument `{ properties }` sends UNSUBSCRIBE properties.
   */
  async unsubscribe(...args: Array<string | UnsubscribeOptions>): Promise<void> {
    const last = args[args.length - 1]
    const options = typeof last === 'object' ? last : undefined
    const filters = (options ? args.slice(0, -1) : args) as string[]
    for (const f of filters) validateTopicFilter(f)
    if (filters.length === 0) return
    const properties = this.rt.version === 5 ? options?.properties : undefined
    // Made while reconnecting: a resubscribe before it is sent leaves these filters out (no retained replay).
    const waiting = !this.connected
    if (waiting) for (const f of filters) this.leaving.add(f)
    await this.rt.request((packetId) => ({ type: 'unsubscribe', packetId, filters, properties }), 'unsuback', (ack) => {
      // MQTT 5: a refused filter (e.g. 0x87) stays subscribed on the server, so it stays here too.
      const codes = (ack as UnsubackPacket).reasonCodes
      const refused = codes?.find((c) => c >= 0x80)
      if (refused !== undefined) throw reasonError('unsubscribe refused', refused, { code: 'UNSUBSCRIBE_FAILED', reasonString: (ack as UnsubackPacket).properties?.reasonString })
      for (const f of filters) {
        for (const sub of this.router.routesOf(f)) {
          this.rt.v5.subIds.drop(sub, [f])
          this.router.remove(f, sub)
          if (!sub.filters.some((g) => this.router.routesOf(g.filter).includes(sub))) {
            sub.end()
            this.subs.delete(sub)
          }
        }
      }
    }).finally(() => { if (waiting) for (const f of filters) this.leaving.delete(f) })
  }

  /** @internal `sub.unsubscribe()`: UNSUBSCRIBE only the filters no other subscription holds. */
  async endSubscription(sub: Subscription): Promise<void> {
    this.rt.v5.subIds.drop(sub, sub.filters.map((g) => g.filter))
    for (const g of sub.filters) this.router.remove(g.filter, sub)
    sub.end()
    this.subs.delete(sub)
    const orphaned = [...new Set(sub.filters.map((g) => g.filter))].filter((f) => this.router.routesOf(f).length === 0)
    if (orphaned.length === 0) return
    const request = (): Promise<void> => this.rt.request((packetId) => ({ type: 'unsubscribe', packetId, filters: orphaned }), 'unsuback', () => undefined)
    // While reconnecting, a resumed session would still deliver them: UNSUBSCRIBE once back, best effort.
    if (this.rt.state === 'reconnecting') { request().catch(() => {}); return }
    if (!this.connected) return
    await request()
  }

  /** Let in-flight work finish for up to quiesceMs, send DISCONNECT and close. Always settles. */
  disconnect(options: DisconnectOptions = {}): Promise<void> {
    const packet = options.reasonCode !== undefined || options.properties
      ? { type: 'disconnect' as const, reasonCode: options.reasonCode, properties: options.properties }
      : undefined
    return this.rt.disconnect(options.quiesceMs ?? 0, packet)
  }

  /**
   * MQTT 5 request/response: publish to `topic` with a Response Topic (subscribed once) and a unique
   * Correlation Data; resolves with the response carrying it, or rejects with TIMEOUT.
   */
  request(topic: string, payload: string | Uint8Array, options: RequestOptions = {}): Promise<Message> {
    if (this.rt.version !== 5) return Promise.reject(new MqttError('INVALID_ARGUMENT', 'request() needs MQTT 5'))
    this.requester ??= new Requester({
      responseTopicPrefix: () => this.rt.v5.limits.responseInformation ?? `isomqtt/responses/${this.options.clientId}`,
      subscribe: (filter, qos, handler) => this.subscribe(filter, handler, { qos }),
      publish: (t, p, qos, properties) => this.publish(t, p, { qos, properties }),
      timers: this.rt.timers,
    })
    return this.requester.request(topic, payload, options)
  }

  /** MQTT 5 enhanced authentication: authenticate again on the live connection (AUTH 0x19). */
  reauthenticate(): Promise<void> {
    return this.rt.reauthenticate()
  }

  /**
   * Drop the connection at once (no DISCONNECT: the server publishes the will). Pending publishes reject
   * with CLOSED and a persistent session stays in the store; `{ discard: true }` gives them up instead:
   * they reject with DISCARDED and the store is emptied.
   */
  destroy(options: { discard?: boolean } = {}): void {
    this.rt.destroy(options.discard === true)
  }

  private liveSubscriptions(): ResubscribeGroup[] {
    // Asked on every connect without a session: nothing to plan is the common case.
    if (this.subs.size === 0) return []
    const live = [...this.subs].map((sub) => {
      const asked = this.requested.get(sub)
      const entries = (asked?.entries ?? []).filter((e) => !this.leaving.has(e.filter) && this.router.routesOf(e.filter).includes(sub))
      return { id: sub.subscriptionIdentifier, entries, userProperties: asked?.userProperties }
    })
    // MQTT 5: each filter again under the identifier the server's subscription had (0: none was sent).
    const ids = this.rt.version === 5 && this.rt.v5.limits.subscriptionIdentifiersAvailable
    return resubscribePlan(live, (f) => (ids ? this.rt.v5.subIds.latestId(f) || undefined : undefined))
  }

  private endAllSubscriptions(): void {
    this.rt.v5.subIds.clear()
    this.requester?.close(new MqttError('CLOSED', 'the client was closed'))
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
  const client = new MqttClient(Object.assign({}, options, { servers }))
  await client.connect()
  return client
}

