// The public surface: connect / createClient, MqttClient with publish, subscribe, unsubscribe, disconnect,
// destroy and events. Its methods delegate: argument checks to call-arguments, SUBSCRIBE and its acks to
// subscribe-request, subscription bookkeeping to subscription-book, everything on the wire to runtime.
import type { ProtocolVersion, PublishPacket, SubackPacket, SubscribePacket, UnsubackPacket } from '@isomqtt/codec'
import { MemoryStore } from '@isomqtt/store'
import {
  disconnectPacket, publishPacket, subscribeCallbacks, subscribeList, unsubscribeArguments,
  type DisconnectOptions, type PublishOptions, type SubscribeOptions, type UnsubscribeOptions,
} from './call-arguments.js'
import { durationMs } from './durations.js'
import { openEarly, type EarlyTransport } from './early-transport.js'
import { Emitter } from './emitter.js'
import { clientClosed, MqttError, notConnected } from './errors.js'
import { responseProperties, type Message } from './message.js'
import type { Requester, RequestOptions } from './request-response.js'
import type { ServerLimits } from './server-limits.js'
import { checkUnsuback, grantedFilters, subscribeProperties, type SubscribeFilter } from './subscribe-request.js'
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js'
import type { PublishResult, ResumedReceipt } from './publish-result.js'
import type { ReconnectingInfo } from './reconnect.js'
import { Router } from './router.js'
import { Runtime } from './runtime.js'
import { Subscription, type MessageHandler, type SubscriptionOwner } from './subscription.js'
import { SubscriptionBook } from './subscription-book.js'

/** What connect() resolves with. */
export interface ConnectResult {
  /** The server still had this client's session. */
  sessionPresent: boolean
  /** One receipt per in-flight message carried over from a persistent session, in original order. */
  resumed: ResumedReceipt[]
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

/** An MQTT client. Create with `connect()` or `createClient()`; reusable after disconnect. */
export class MqttClient extends Emitter<ClientEvents> implements SubscriptionOwner {
  /** The options with defaults applied. */
  readonly options: ResolvedOptions
  private readonly rt: Runtime
  private readonly book: SubscriptionBook
  private requester: Requester | undefined

  /** `prepared` (@internal): connect()'s resolved options and the transport it opened already. */
  constructor(options: ClientOptions, prepared?: { options: ResolvedOptions, early: EarlyTransport | undefined }) {
    super()
    this.options = prepared?.options ?? resolveOptions(options)
    const early = prepared?.early
    // Encoded packets are never written to after put(), so the default store keeps them without a copy.
    const store = this.options.store ?? new MemoryStore({ adopt: true })
    const router = new Router<Subscription>()
    this.rt = new Runtime(this.options, store, router, {
      emit: (event, arg) => this.emit(event as 'error', arg as Error),
      hasListeners: (event) => this.has(event),
      endSubscriptions: () => {
        this.book.endAll()
        this.requester?.close(clientClosed())
      },
      // v5 is there only for MQTT 5 (loaded before its first connection).
      liveSubscriptions: () => this.book.live(this.rt.v5?.limits.subscriptionIdentifiersAvailable ?? false),
    }, early)
    this.book = new SubscriptionBook(router, () => this.rt.v5?.subIds)
    this.rt.responder = (request, payload, o) => {
      const { topic, properties } = responseProperties(request, o.properties)
      return this.publish(topic, payload, { qos: o.qos ?? request.qos, properties })
    }
  }

  /** MQTT 5: what the server's CONNACK allows (receive maximum, packet size, aliases, QoS, ...). */
  get serverLimits(): ServerLimits | undefined {
    return this.rt.v5?.link?.limits
  }

  /**
   * What `console.log(client)` and `JSON.stringify(client)` show: who and where, never the options (which hold
   * the password) nor the machinery behind them.
   */
  toJSON(): { clientId: string; protocolVersion: ProtocolVersion; state: string; server: string | undefined } {
    const server = this.server
    return { clientId: this.clientId, protocolVersion: this.protocolVersion, state: this.state, server: server && `${server.protocol}//${server.host}` }
  }

  /** Node's util.inspect (console.log): the toJSON() summary. */
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `MqttClient ${inspect(this.toJSON(), options)}`
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

  /** Add a listener; a 'message' listener also gets the messages of a resumed session that nothing has claimed yet. */
  override on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): this {
    super.on(event, listener)
    if (event === 'message') this.rt.inbound.claimantAdded()
    return this
  }

  /** Received messages dropped: QoS 0 beyond `dispatchBacklog` (handlers behind), and those nothing claimed (see `unclaimedHoldMs`). */
  get droppedMessages(): number {
    return this.rt.droppedMessages
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
    let packet: PublishPacket
    try {
      packet = publishPacket(topic, payload, options)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.rt.publish(packet)
  }

  /** Subscribe to one filter or several; resolves at SUBACK with the granted QoS per filter. */
  subscribe(filters: string | ReadonlyArray<string | SubscribeFilter>, handler?: MessageHandler, options?: SubscribeOptions): Promise<Subscription>
  /** Subscribe without a handler (iterate the Subscription, or rely on the default handler). */
  subscribe(filters: string | ReadonlyArray<string | SubscribeFilter>, options: SubscribeOptions): Promise<Subscription>
  async subscribe(
    filters: string | ReadonlyArray<string | SubscribeFilter>,
    handlerOrOptions?: MessageHandler | SubscribeOptions,
    maybeOptions?: SubscribeOptions,
  ): Promise<Subscription> {
    const [handler, options] = subscribeCallbacks(handlerOrOptions, maybeOptions)
    const v5 = this.rt.version === 5
    const list = subscribeList(filters, options, v5)
    // MQTT 5: within what the server said it supports (no connection: nothing to check against yet).
    if (v5) this.rt.v5?.link?.checkFilters(list.map((f) => f.filter))
    // Until the SUBACK, messages nothing claims wait: the server may send this subscription's first ones before it.
    this.rt.inbound.subscribing(1)
    const settled = (): void => this.rt.inbound.subscribing(-1)
    let subscribed: Promise<Subscription>
    try {
      subscribed = this.sendSubscribe(list, handler, options, v5)
    } catch (err) {
      // A count left behind would hold every unclaimed message for good.
      settled()
      throw err
    }
    subscribed.then(settled, settled)
    return subscribed
  }

  /** SUBSCRIBE `list`; at its SUBACK, the Subscription with its routes. */
  private sendSubscribe(list: SubscribePacket['subscriptions'], handler: MessageHandler | undefined, options: SubscribeOptions, v5: boolean): Promise<Subscription> {
    // MQTT 5: one Subscription Identifier per SUBSCRIBE routes what it brings to this subscription. Chosen
    // when the packet is built: one made while reconnecting learns the new server's limits first.
    let id: number | undefined
    return this.rt.request(
      (packetId) => {
        const s5 = v5 ? this.rt.v5 : undefined
        id = s5?.limits.subscriptionIdentifiersAvailable ? s5.subIds.allocate() : undefined
        return { type: 'subscribe', packetId, subscriptions: list, properties: v5 ? subscribeProperties(id, options.properties) : undefined }
      },
      'suback',
      (ack) => {
        // Routes are added as SUBACK is read, so a retained message right behind it is routed here.
        const sub = new Subscription(this, grantedFilters(list, ack as SubackPacket, v5), handler, options.bufferSize)
        sub.subscriptionIdentifier = id
        this.book.add(sub, list, v5, id, v5 ? options.properties?.userProperties : undefined)
        this.rt.inbound.claimantAdded()
        return sub
      },
    )
  }

  /**
   * Unsubscribe filters (the seed's EndSubscription): every subscription on them stops; resolves at UNSUBACK.
   * MQTT 5: a last argument `{ properties }` sends UNSUBSCRIBE properties.
   */
  async unsubscribe(...args: Array<string | UnsubscribeOptions>): Promise<void> {
    const { filters, options } = unsubscribeArguments(args)
    if (filters.length === 0) return
    const properties = this.rt.version === 5 ? options?.properties : undefined
    // Made while reconnecting: a resubscribe before it is sent leaves these filters out (no retained replay).
    const waiting = !this.connected
    if (waiting) this.book.startLeaving(filters)
    await this.rt.request((packetId) => ({ type: 'unsubscribe', packetId, filters, properties }), 'unsuback', (ack) => {
      checkUnsuback(ack as UnsubackPacket)
      this.book.unsubscribed(filters)
    }).finally(() => { if (waiting) this.book.doneLeaving(filters) })
  }

  /** @internal the loops iterating a message whose acknowledgement waited for them are done with it (SubscriptionOwner) */
  taken(message: Message): void {
    this.rt.inbound.taken(message)
  }

  /** @internal `sub.unsubscribe()`: UNSUBSCRIBE only the filters no other subscription holds. */
  async endSubscription(sub: Subscription): Promise<void> {
    const orphaned = this.book.remove(sub)
    if (orphaned.length === 0) return
    const request = (): Promise<void> => this.rt.request((packetId) => ({ type: 'unsubscribe', packetId, filters: orphaned }), 'unsuback', () => undefined)
    // While reconnecting, a resumed session would still deliver them: UNSUBSCRIBE once back, best effort.
    if (this.rt.state === 'reconnecting') { request().catch(() => {}); return }
    if (!this.connected) return
    await request()
  }

  /**
   * While the client waits out a reconnect delay, attempt at once (the application knows the network is back;
   * browser clients do it on the window's 'online' event). False when it is not waiting.
   */
  reconnectNow(): boolean {
    return this.rt.reconnectNow()
  }

  /** Let in-flight work finish for up to quiesceMs, send DISCONNECT and close; settles once the server closed too (at most 1 s later). */
  disconnect(options: DisconnectOptions = {}): Promise<void> {
    let quiesceMs: number
    try {
      quiesceMs = durationMs(options.quiesceMs, 0, 'quiesceMs')
    } catch (err) {
      return Promise.reject(err)
    }
    return this.rt.disconnect(quiesceMs, disconnectPacket(options))
  }

  /**
   * MQTT 5 request/response: publish to `topic` with a Response Topic (subscribed once) and a unique
   * Correlation Data; resolves with the response carrying it, or rejects with TIMEOUT.
   */
  async request(topic: string, payload: string | Uint8Array, options: RequestOptions = {}): Promise<Message> {
    if (this.rt.version !== 5) throw new MqttError('INVALID_ARGUMENT', 'request() needs MQTT 5')
    if (!this.requester) {
      // Loaded on the first request(): apps that never call it do not download it.
      const { Requester } = await import('./request-response.js')
      this.requester ??= new Requester({
        responseTopicPrefix: () => this.rt.v5?.limits.responseInformation ?? `isomqtt/responses/${this.options.clientId}`,
        subscribe: (filter, qos, handler) => this.subscribe(filter, handler, { qos }),
        publish: (t, p, qos, properties) => this.publish(t, p, { qos, properties }),
        timers: this.rt.timers,
      })
      const requester = this.requester
      this.rt.responses = (m) => requester.arrived(m)
    }
    return this.requester.request(topic, payload, options)
  }

  /** MQTT 5 enhanced authentication: authenticate again on the live connection (AUTH 0x19). */
  reauthenticate(): Promise<void> {
    const { protocolVersion, authenticator } = this.options
    if (protocolVersion !== 5 || !authenticator) return Promise.reject(new MqttError('INVALID_ARGUMENT', 'reauthenticate() needs MQTT 5 and an authenticator'))
    // Loaded on the first MQTT 5 connect: before that there is no connection to re-authenticate on.
    return this.rt.control5?.reauthenticate() ?? Promise.reject(notConnected())
  }

  /**
   * Drop the connection at once (no DISCONNECT: the server publishes the will). Pending publishes reject
   * with CLOSED and a persistent session stays in the store; `{ discard: true }` gives them up instead:
   * they reject with DISCARDED and the store is emptied.
   */
  destroy(options: { discard?: boolean } = {}): void {
    this.rt.destroy(options.discard === true)
  }
}

/** A client that is not connected yet: call `client.connect()`. */
export function createClient(options: ClientOptions): MqttClient {
  return new MqttClient(options)
}

/** Connect to a server (or the first of several that accepts) and resolve the connected client. */
export async function connect(url: string | URL | Array<string | URL>, options: ClientOptions = {}): Promise<MqttClient> {
  const given = Array.isArray(url) ? url : [url]
  const servers = options.servers ? given.concat(options.servers) : given
  const resolved = resolveOptions(options, servers)
  const early = openEarly(resolved)
  // The handshake and the CONNECT go first; the client is built while the server reads the CONNECT.
  if (early) await early.upOrNextTurn()
  const client = new MqttClient(resolved, { options: resolved, early })
  await client.connect()
  return client
}

