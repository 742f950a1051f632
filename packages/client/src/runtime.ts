// The client's engine: runs the lifecycle state machine and performs its actions, handles the packets of
// the live connection, and feeds received messages to the dispatcher. client.ts is the public face of it.
import { encode } from '@isomqtt/codec'
import type { ConnackPacket, ConnectPacket, DisconnectPacket, Packet, ProtocolVersion, PublishPacket } from '@isomqtt/codec'
import { openTransport } from '@isomqtt/transport'
import type { Store } from '@isomqtt/store'
import type { Connection, ConnectionHandler } from './connection.js'
import { attemptConnect } from './connector.js'
import { Dispatcher, type DispatchHost } from './dispatcher.js'
import { MqttError } from './errors.js'
import { keepaliveFor, type Keepalive } from './keepalive.js'
import { Message, type Responder } from './message.js'
import { Mqtt5Session } from './mqtt5-session.js'
import { OfflinePublisher } from './offline-publisher.js'
import { Qos2ReplayGuard } from './qos2-replay-guard.js'
import { buildConnectPacket, type ResolvedOptions } from './options.js'
import type { PublishResult, ResumedReceipt } from './publish-result.js'
import { isRefusal, ReconnectLoop } from './reconnect.js'
import { resubscribe, type SubscribeEntry } from './resubscribe.js'
import type { Router } from './router.js'
import { Session } from './session.js'
import { transition, type ConnectionState, type LifecycleAction, type LifecycleEvent } from './state-machine.js'
import type { Subscription } from './subscription.js'
import { defaultTimers, type TimerHandle, type TimerSource } from './timers.js'
import { Tracer } from './trace.js'
import type { Transport, TransportFactory } from './transport-types.js'

/** What the runtime needs from the MqttClient. */
export interface RuntimeHost {
  emit(event: string, arg?: unknown): void
  hasListeners(event: string): boolean
  endSubscriptions(): void
  /** What to subscribe again when the server lost the session. */
  liveSubscriptions(): SubscribeEntry[]
}

interface Deferred<T> { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void }

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void
  let reject!: (e: Error) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

const defaultFactory: TransportFactory = (url, options) => openTransport(url, options) as unknown as Promise<Transport>

/** The connected-client machinery behind MqttClient. */
export class Runtime implements ConnectionHandler, DispatchHost {
  state: ConnectionState = 'idle'
  version: ProtocolVersion
  lastConnect: { sessionPresent: boolean; resumed: ResumedReceipt[] } | undefined
  readonly session: Session
  readonly trace: Tracer
  private readonly dispatcher: Dispatcher
  /** The timer source (keepalive, timeouts, request timeouts). */
  readonly timers: TimerSource
  private conn: Connection | undefined
  private keepalive: Keepalive | undefined
  private abort: AbortController | undefined
  private connectWaiter: Deferred<{ sessionPresent: boolean; resumed: ResumedReceipt[] }> | undefined
  private disconnectWaiters: Array<() => void> = []
  private storeState: Promise<void> | undefined
  private resuming: Promise<ResumedReceipt[]> | undefined
  private resumed = false
  private holding: Packet[] | undefined
  private graceful = false
  private quiesceMs = 0
  private quiesceTimer: TimerHandle | undefined
  private gen = 0
  private readonly qos2Stored = new Map<number, Promise<void>>()
  private readonly gens = new WeakMap<Message, number>()
  /** The server of the current (or last) connection. */
  server: URL | undefined
  private readonly reconnect: ReconnectLoop | undefined
  private readonly offline: OfflinePublisher
  private attemptServers: URL[] | undefined
  private previous: ConnectionState = 'idle'
  private readonly replays = new Qos2ReplayGuard()
  /** MQTT 5 state: authentication, limits, aliases, subscription identifiers, redirects. */
  readonly v5: Mqtt5Session<Subscription>
  /** Publishes msg.respond() answers (set by the client). */
  responder: Responder | undefined
  private disconnectPacket: DisconnectPacket | undefined

  constructor(
    private readonly options: ResolvedOptions,
    private readonly store: Store,
    private readonly router: Router<Subscription>,
    private readonly host: RuntimeHost,
  ) {
    this.version = options.protocolVersion
    this.trace = new Tracer(options.trace)
    this.timers = options.timers ?? defaultTimers
    this.session = new Session({ store, trace: this.trace, maxInflight: options.maxInflight, maxQueued: options.maxQueued })
    this.v5 = new Mqtt5Session(options.authenticator, options.followServerReference ?? false)
    // A stored publish keeps its topic; only the bytes written carry this connection's alias.
    this.session.wire = (p, bytes) => this.v5.link ? this.v5.link.wire(p, bytes) : bytes
    this.dispatcher = new Dispatcher(this, options.orderMatters)
    this.offline = new OfflinePublisher(options.offlineQueue, this.session)
    if (options.reconnect) {
      this.reconnect = new ReconnectLoop(options.reconnect, options.servers, {
        reconnecting: (info) => this.host.emit('reconnecting', info),
        attempt: (servers) => {
          this.attemptServers = servers
          this.run({ type: 'attemptReconnect' })
        },
        gaveUp: (error) => queueMicrotask(() => this.run({ type: 'connectFailed', error })),
      }, this.timers, this.trace)
    }
  }

  // ---- lifecycle ----

  private run(event: LifecycleEvent): void {
    const from = this.state
    const { state, actions } = transition(from, event, { reconnect: this.reconnect !== undefined })
    this.previous = from
    this.state = state
    if (from !== state) this.trace.debug('state', `${from} -> ${state} (${event.type})`)
    // A closed client holds no resources: the store closes (after pending store work) and reopens on connect.
    if (state === 'closed' && from !== 'closed') this.storeState = this.closeStore()
    for (const action of actions) this.perform(action)
  }

  private perform(a: LifecycleAction): void {
    switch (a.type) {
      case 'openConnection': void this.open(); break
      case 'startKeepalive': this.startKeepalive(); break
      case 'stopKeepalive': this.keepalive?.stop(); this.keepalive = undefined; break
      case 'resumeSession': this.resuming = this.resume(a.sessionPresent); break
      case 'resolveConnect': {
        const waiter = this.connectWaiter
        this.resuming!.then((resumed) => {
          this.lastConnect = { sessionPresent: a.sessionPresent, resumed }
          waiter?.resolve(this.lastConnect)
          if (this.connectWaiter === waiter) this.connectWaiter = undefined
          this.host.emit('connect', this.lastConnect)
        }, (err: Error) => this.run({ type: 'protocolError', error: new MqttError('STORE_ERROR', 'session resume failed', { cause: err }) }))
        break
      }
      case 'rejectConnect':
        this.connectWaiter?.reject(a.error)
        this.connectWaiter = undefined
        break
      case 'startQuiesce': this.quiesce(); break
      case 'sendDisconnect': this.conn?.send(this.disconnectPacket ?? { type: 'disconnect' }); this.graceful = true; break
      case 'closeTransport':
        this.abort?.abort()
        this.abort = undefined
        this.conn?.close(this.graceful)
        this.conn = undefined
        this.graceful = false
        this.session.attach(undefined)
        break
      case 'failPending': {
        const byUser = (a.error as MqttError).code === 'CLOSED'
        this.resumed = false
        this.v5.ended(a.error)
        // Reconnecting keeps everything; a persistent session also waits for the next connect(), unless
        // the reconnect loop just gave up (then what waited fails with the reason).
        const keep = this.state === 'reconnecting' || (!byUser && !this.options.clean && this.previous !== 'reconnecting')
        this.session.connectionEnded(a.error, keep, this.options.clean)
        if (!keep) this.offline.end(a.error)
        if (byUser) this.host.endSubscriptions()
        break
      }
      case 'notifyConnectionLost':
        this.trace.critical('client', `connection lost: ${a.error.message}`)
        try { this.options.onConnectionLost?.(a.error) } catch (err) { this.reportError(err) }
        this.host.emit('connectionLost', a.error)
        break
      case 'scheduleReconnect': this.reconnect?.failed(a.error); break
      case 'cancelReconnect': this.reconnect?.cancel(); break
      case 'emitClose': {
        this.reconnect?.cancel()
        const waiters = this.disconnectWaiters
        this.disconnectWaiters = []
        const closing = this.storeState ?? Promise.resolve()
        void closing.then(() => { for (const w of waiters) w() })
        this.host.emit('close')
        break
      }
    }
  }

  connect(): Promise<{ sessionPresent: boolean; resumed: ResumedReceipt[] }> {
    if (this.state === 'connected' && this.resumed && this.lastConnect) return Promise.resolve(this.lastConnect)
    if (this.connectWaiter) return this.connectWaiter.promise
    if (this.state === 'disconnecting') return Promise.reject(new MqttError('INVALID_ARGUMENT', 'disconnect() is in progress'))
    const waiter = (this.connectWaiter = deferred())
    // While reconnecting, connect() resolves at the loop's next success.
    if (this.state !== 'reconnecting') this.run({ type: 'userConnect' })
    return waiter.promise
  }

  private async open(): Promise<void> {
    const abort = (this.abort = new AbortController())
    try {
      this.storeState = (this.storeState ?? Promise.resolve()).then(() => this.store.open())
      await this.storeState
      const est = await attemptConnect({
        options: this.options,
        factory: this.options.transport ?? defaultFactory,
        timers: this.timers,
        trace: this.trace,
        signal: abort.signal,
        servers: this.attemptServers ?? this.reconnect?.servers.order(),
        buildConnect: (v) => this.buildConnect(v),
        mqtt5: this.v5,
      })
      this.attemptServers = undefined
      if (abort.signal.aborted || (this.state !== 'connecting' && this.state !== 'reconnecting')) { est.conn.close(false); return }
      this.conn = est.conn
      this.server = est.server
      this.reconnect?.connected(est.server)
      this.version = est.version
      this.gen++
      est.adopt(this)
      this.session.attach(est.conn)
      if (est.version === 5) this.established5(est.connack)
      this.run({ type: 'connackReceived', sessionPresent: est.connack.sessionPresent })
      for (const p of est.early) this.packet(p)
      if (!est.conn.open && this.conn === est.conn) this.closed(undefined)
    } catch (err) {
      if (this.abort === abort && !abort.signal.aborted) {
        const error = err instanceof Error ? err : new MqttError('UNKNOWN', String(err))
        this.attemptServers = undefined
        this.run({ type: 'connectFailed', error, retry: this.retries(error) })
      }
    }
  }

  /** Whether a failed attempt is followed by another: never after a refusal, unless asked. */
  private retries(error: Error): boolean {
    const r = this.reconnect?.options
    if (!r || (isRefusal(error) && !r.retryOnRefused)) return false
    return this.state === 'reconnecting' || r.retryInitialConnect
  }

  private async resume(sessionPresent: boolean): Promise<ResumedReceipt[]> {
    this.holding = []
    this.resumed = false
    try {
      // MQTT 5: a server without our session means ours is gone too [MQTT-3.2.2-5].
      const fresh = this.options.clean || (this.version === 5 && !sessionPresent)
      const receipts = fresh ? await this.session.cleanStart() : await this.session.resume(sessionPresent)
      if (!sessionPresent) this.replays.clear()
      // The server forgot our subscriptions: establish them again, before the queued publishes leave.
      if (!sessionPresent && this.conn) resubscribe(this.host.liveSubscriptions(), this.session, this.trace, (err) => this.reportError(err))
      this.offline.flush((p) => this.conn ? this.conn.queue.publishQos0(this.qos0Bytes(p)) : Promise.reject(new MqttError('NOT_CONNECTED', 'not connected')))
      return receipts
    } finally {
      this.resumed = true
      const held = this.holding
      this.holding = undefined
      for (const p of held) if (this.conn) this.packet(p)
    }
  }

  /** The CONNECT packet; the password lives only here and in the options, never in traces. */
  buildConnect(version: ProtocolVersion): ConnectPacket | Promise<ConnectPacket> {
    const r = this.reconnect
    // Credentials from the reconnect loop's beforeAttempt hook (token refresh) replace the options' ones.
    const packet = r?.username === undefined && r?.password === undefined
      ? buildConnectPacket(this.options, version)
      : buildConnectPacket({ ...this.options, username: r.username ?? this.options.username, password: r.password ?? this.options.password }, version)
    if (version !== 5 || !this.v5.auth) return packet
    return this.v5.connectProperties(packet.properties).then((properties) => ({ ...packet, properties }))
  }

  /** MQTT 5 CONNACK: the in-flight cap, the assigned client id (kept for the session) and the keepalive. */
  private established5(connack: ConnackPacket): void {
    this.session.setInflightLimit(this.v5.established(connack, this.options.properties, this.options.maxInflight, this.options.outboundTopicAliases ?? true))
    const assigned = this.v5.limits.assignedClientIdentifier
    if (assigned !== undefined) this.options.clientId = assigned
  }

  /** The keepalive in use: the server's (MQTT 5 Server Keep Alive) or ours, seconds. */
  get keepaliveSeconds(): number {
    return this.v5.limits.serverKeepAlive ?? this.options.keepalive
  }

  /** QoS 0 bytes to write: with this connection's topic alias under MQTT 5. */
  private qos0Bytes(p: PublishPacket): Uint8Array {
    return this.v5.link ? this.v5.link.wire(p, undefined) : encode(p, this.version)
  }

  private startKeepalive(): void {
    const conn = this.conn
    const seconds = this.keepaliveSeconds
    if (!conn || seconds === 0) return
    this.keepalive = keepaliveFor(conn, seconds * 1000, this.options.pingTimeoutMs, this.timers, this.trace, () =>
      this.run({ type: 'keepaliveTimeout', error: new MqttError('TIMEOUT', 'no PINGRESP from the server: connection lost') }))
  }

  private quiesce(): void {
    const done = (): void => {
      if (this.quiesceTimer !== undefined) this.timers.clearTimeout(this.quiesceTimer)
      this.quiesceTimer = undefined
      this.session.onIdle = undefined
      if (this.state === 'disconnecting') this.run({ type: 'quiesceDone' })
    }
    if (this.quiesceMs <= 0 || this.session.idle) { queueMicrotask(done); return }
    this.session.onIdle = done
    this.quiesceTimer = this.timers.setTimeout(done, this.quiesceMs)
  }

  disconnect(quiesceMs: number, packet?: DisconnectPacket): Promise<void> {
    this.disconnectPacket = this.version === 5 ? packet : undefined
    if (this.state === 'idle' || this.state === 'closed') {
      this.endOffline()
      return this.storeState?.then(() => {}, () => {}) ?? Promise.resolve()
    }
    const done = new Promise<void>((resolve) => this.disconnectWaiters.push(resolve))
    if (this.state !== 'disconnecting') {
      this.quiesceMs = quiesceMs
      this.run({ type: 'userDisconnect' })
    }
    return done
  }

  destroy(): void {
    if (this.state === 'idle' || this.state === 'closed') this.endOffline()
    this.run({ type: 'userDestroy' })
  }

  /** The user ended a client that is not connected: queued publishes fail, the store closes. */
  private endOffline(): void {
    if (this.offline.length === 0 && this.session.idle) return
    const error = new MqttError('CLOSED', 'the client was closed before the message could be sent')
    this.offline.end(error)
    this.session.connectionEnded(error, false, this.options.clean)
    this.storeState = this.closeStore()
  }

  private async closeStore(): Promise<void> {
    try {
      // Let the transition's actions queue their store work (deletes of a clean session) first.
      await Promise.resolve()
      await this.session.settled()
      await this.store.close()
    } catch (err) {
      this.trace.warn('store', `closing the store failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  // ---- publishing and requests ----

  publish(packet: PublishPacket): Promise<PublishResult> {
    if (this.state !== 'connected' || !this.conn) {
      // Before the first connect and while (re)connecting, publishes wait in the offline queue.
      if (this.state === 'idle' || this.state === 'connecting' || this.state === 'reconnecting') return this.offline.publish(packet)
      return Promise.reject(new MqttError('NOT_CONNECTED', 'not connected'))
    }
    if (!this.resumed) return this.resuming!.then(() => this.publish(packet))
    if (this.v5.link) {
      try { this.v5.link.check(packet) } catch (err) { return Promise.reject(err) }
    }
    if (packet.qos === 0) {
      if (this.session.queued >= this.options.maxQueued) {
        return Promise.reject(new MqttError('QUEUE_FULL', `more than ${this.options.maxQueued} publishes waiting to be written`))
      }
      return this.conn.queue.publishQos0(this.qos0Bytes(packet))
    }
    return this.session.publish(packet)
  }

  request<T>(build: (id: number) => Packet, kind: 'suback' | 'unsuback', onAck: (p: Packet) => T): Promise<T> {
    if (this.state !== 'connected') return Promise.reject(new MqttError('NOT_CONNECTED', 'not connected'))
    if (!this.resumed) return this.resuming!.then(() => this.request(build, kind, onAck))
    return this.session.request(build, kind, onAck)
  }

  // ---- the live connection ----

  packet(p: Packet): void {
    if (this.holding) { this.holding.push(p); return }
    switch (p.type) {
      case 'publish': this.receive(p); return
      case 'pingresp': this.trace.debug('pinger', 'PINGRESP'); return
      case 'disconnect':
        this.run({ type: 'transportClosed', error: this.version === 5 ? this.v5.serverDisconnect(p, this.server) : new MqttError('SERVER_DISCONNECT', 'the server sent DISCONNECT', { reasonCode: p.reasonCode }) })
        return
      case 'auth': {
        const conn = this.conn
        this.v5.authPacket(p, true).then((reply) => { if (reply && this.conn === conn) conn?.send(reply) }, (err: MqttError) => this.fail5(err))
        return
      }
      case 'connack': case 'connect': case 'subscribe': case 'unsubscribe': case 'pingreq':
        this.run({ type: 'protocolError', error: new MqttError('PROTOCOL_ERROR', `unexpected ${p.type.toUpperCase()} from the server`, { reasonCode: 0x82 }) })
        return
      default:
        if (p.type === 'pubrel') { this.replays.release(p.packetId); this.v5.released(p.packetId) }
        if (!this.session.handle(p)) this.trace.warn('client', `ignored ${p.type.toUpperCase()}`)
    }
  }

  closed(error: Error | undefined): void {
    const code = (error as MqttError | undefined)?.code
    if (code === 'MALFORMED_PACKET' || code === 'PROTOCOL_ERROR' || code === 'PACKET_TOO_LARGE') this.run({ type: 'protocolError', error: error! })
    else this.run({ type: 'transportClosed', error })
  }

  writeExpired(ids: number[], error: Error): void {
    this.session.expire(ids, error)
  }

  /** MQTT 5: close with DISCONNECT carrying the error's reason code [MQTT-4.13.1-1]. */
  private fail5(error: MqttError): void {
    if (this.conn && this.version === 5) {
      this.conn.send({ type: 'disconnect', reasonCode: error.reasonCode ?? 0x82 })
      this.graceful = true
    }
    this.run({ type: 'protocolError', error })
  }

  /** Start a re-authentication (MQTT 5 enhanced authentication); settles when the server accepts or refuses. */
  reauthenticate(): Promise<void> {
    const conn = this.state === 'connected' && this.version === 5 ? this.conn : undefined
    return this.v5.reauthenticate(conn && ((p) => { if (this.conn === conn) conn.send(p) }), (err) => this.fail5(err))
  }

  private receive(p: PublishPacket): void {
    if (this.version === 5) {
      try {
        if (!this.v5.accept(p, (qos, id, reason) => this.session.acknowledge(qos, id, reason), this.trace)) return
      } catch (err) {
        this.fail5(err as MqttError)
        return
      }
    }
    const message = new Message(p, this.version === 5 ? this.responder : undefined)
    if (p.qos > 0) this.gens.set(message, this.gen)
    if (p.qos === 2) {
      const replay = this.replays.isReplay(p.packetId!, p.dup, p.topic, p.payload)
      const r = replay ? { deliver: false, stored: Promise.resolve() } : this.session.receiveQos2(p.packetId!)
      if (!r.deliver) {
        // A redelivery of a message already given to the application [MQTT-4.3.3-2]: acknowledge only.
        this.trace.debug('message', `duplicate QoS 2 id=${p.packetId}: not delivered again`)
        this.session.acknowledge(2, p.packetId!)
        return
      }
      this.qos2Stored.set(p.packetId!, r.stored)
      this.replays.delivered(p.packetId!, p.topic, p.payload)
    }
    this.dispatcher.dispatch(message)
  }

  // ---- DispatchHost ----

  routes(topic: string, out: Subscription[], message?: Message): Subscription[] {
    // MQTT 5: the identifiers say which subscriptions the server matched, so overlaps get no duplicates.
    const ids = message?.properties?.subscriptionIdentifiers
    if (ids && this.v5.subIds.route(topic, ids, out)) return out
    this.router.match(topic, out)
    if (this.version === 5) this.v5.subIds.matchShared(topic, out)
    return out
  }

  get defaultHandler(): ((m: Message) => void | Promise<void>) | undefined {
    return this.options.onMessage
  }

  emitMessage(message: Message): void {
    if (this.host.hasListeners('message')) this.host.emit('message', message)
  }

  handlerError(error: unknown, message: Message): void {
    this.trace.warn('message', `handler failed for ${message.topic}: ${error instanceof Error ? error.message : String(error)}`)
    this.reportError(error)
  }

  private reportError(error: unknown): void {
    const err = error instanceof Error ? error : new MqttError('UNKNOWN', String(error), { cause: error })
    this.host.emit('error', err)
  }

  done(message: Message): void {
    if (message.qos === 0) return
    const id = message.packetId!
    const gen = this.gens.get(message)
    // Acknowledging on a later connection could ack a different message with the same id: the server resends.
    if (gen !== this.gen || this.state !== 'connected') return
    if (message.qos === 1) { this.session.acknowledge(1, id); this.v5.released(id); return }
    const stored = this.qos2Stored.get(id)
    this.qos2Stored.delete(id)
    ;(stored ?? Promise.resolve()).then(
      () => { if (gen === this.gen && this.state === 'connected') this.session.acknowledge(2, id) },
      (err: unknown) => this.trace.critical('store', `inbound id ${id} not stored: ${String(err)}`),
    )
  }
}
