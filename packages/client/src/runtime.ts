// The client's engine: runs the lifecycle state machine and performs its actions, and owns the live
// connection. Publishes go through outbound-flow, received messages through inbound-flow, session resume
// through resume-gate, the live connection's packets through connection-packets, MQTT 5 control traffic
// through mqtt5-control, and reconnect-wiring builds the reconnect loop. client.ts is the public face of it.
import type { DisconnectPacket, Packet, ProtocolVersion, PublishPacket } from '@isomqtt/codec'
import type { Store } from '@isomqtt/store'
import { AttemptCancel } from './attempt-cancel.js'
import type { Connection } from './connection.js'
import { endOffline, endPending, type PendingParts } from './connection-end.js'
import { ConnectionPackets, type ConnectionPacketsHost } from './connection-packets.js'
import { ConnectionSetup } from './connection-setup.js'
import { ConnectionWait } from './connection-wait.js'
import { discardSession } from './discard-session.js'
import type { EarlyTransport } from './early-transport.js'
import { clientClosed, MqttError } from './errors.js'
import { InboundFlow, type InboundHost } from './inbound-flow.js'
import type { Keepalive } from './keepalive.js'
import { LifecycleWaiters, type ConnectOutcome } from './lifecycle-waiters.js'
import type { Message, Responder } from './message.js'
import type { Mqtt5Control, Mqtt5ControlHost } from './mqtt5-control.js'
import type { Mqtt5Session } from './mqtt5-session.js'
import type { ResolvedOptions } from './options.js'
import { OutboundFlow, type OutboundHost } from './outbound-flow.js'
import { Quiesce } from './quiesce.js'
import type { PublishResult, ResumedReceipt } from './publish-result.js'
import type { ReconnectLoop } from './reconnect.js'
import { createReconnect, retriesAfter } from './reconnect-wiring.js'
import { resubscribe, type ResubscribeGroup } from './resubscribe.js'
import { ResumeGate } from './resume-gate.js'
import type { Router } from './router.js'
import { Session } from './session.js'
import { transition, type ConnectionState, type LifecycleAction, type LifecycleEvent } from './state-machine.js'
import type { Subscription } from './subscription.js'
import { StoreLifecycle } from './store-lifecycle.js'
import { defaultTimers, type TimerSource } from './timers.js'
import { Tracer } from './trace.js'

/** What the runtime needs from the MqttClient. */
export interface RuntimeHost {
  emit(event: string, arg?: unknown): void
  hasListeners(event: string): boolean
  endSubscriptions(): void
  /** What to subscribe again when the server lost the session (MQTT 5: grouped by identifier). */
  liveSubscriptions(): ResubscribeGroup[]
}

/** The connected-client machinery behind MqttClient. */
export class Runtime implements InboundHost, OutboundHost, Mqtt5ControlHost, ConnectionPacketsHost {
  state: ConnectionState = 'idle'
  version: ProtocolVersion
  lastConnect: ConnectOutcome | undefined
  readonly session: Session
  readonly trace: Tracer
  /** Received messages on their way to the application (the client tells it of new subscriptions and takes). */
  readonly inbound: InboundFlow
  private readonly outbound: OutboundFlow
  /** What a connection's end decides about (connection-end.ts, discard-session.ts). */
  private readonly pending: PendingParts
  /** Holds packets and publishes while the session resumes on a new connection. */
  readonly gate = new ResumeGate()
  /** The timer source (keepalive, timeouts, request timeouts). */
  readonly timers: TimerSource
  /** subscribe() / unsubscribe() made while (re)connecting. */
  readonly connectionWait: ConnectionWait
  private conn: Connection | undefined
  private keepalive: Keepalive | undefined
  private abort: AttemptCancel | undefined
  private readonly waiters = new LifecycleWaiters()
  private readonly storeLife: StoreLifecycle
  private graceful = false
  private quiesceMs = 0
  private readonly quiescer: Quiesce
  /** The server of the current (or last) connection. */
  server: URL | undefined
  /** The reconnect loop, made when first needed (see reconnectLoop()). */
  private loop: ReconnectLoop | undefined
  private readonly setup: ConnectionSetup
  private attemptServers: URL[] | undefined
  private previous: ConnectionState = 'idle'
  /** MQTT 5 state (authentication, limits, aliases, subscription identifiers, redirects), from the first MQTT 5 connect. */
  v5: Mqtt5Session<Subscription> | undefined
  /** MQTT 5 AUTH, re-authentication and closes with a reason code; loaded with `v5`. */
  control5: Mqtt5Control | undefined
  /** The handler of the live connection. */
  private readonly packets: ConnectionPackets
  /** Publishes msg.respond() answers (set by the client). */
  responder: Responder | undefined
  /** Settles client.request() calls a message answers, at its arrival (set by the client on the first request). */
  responses: ((message: Message) => void) | undefined
  private disconnectPacket: DisconnectPacket | undefined
  /** The graceful close of the last connection, until disconnect() has been answered. */
  private closing: Promise<void> | undefined

  constructor(
    private readonly options: ResolvedOptions,
    store: Store,
    router: Router<Subscription>,
    private readonly host: RuntimeHost,
    early?: EarlyTransport,
  ) {
    this.version = options.protocolVersion
    this.trace = new Tracer(options.trace)
    this.timers = options.timers ?? defaultTimers
    this.connectionWait = new ConnectionWait(this.timers)
    this.session = new Session({ store, trace: this.trace, maxInflight: options.maxInflight, maxQueued: options.maxQueued, quickLossMs: options.reconnect?.giveUpRefused ? options.reconnect.stableAfterMs : 0 })
    this.storeLife = new StoreLifecycle(store, this.session, this.trace)
    this.quiescer = new Quiesce(this.timers, this.session)
    // A stored publish keeps its topic; only the bytes written carry this connection's alias.
    this.session.wire = (p, bytes) => this.v5?.link ? this.v5.link.wire(p, bytes) : bytes
    this.inbound = new InboundFlow(this, host, router, options)
    this.packets = new ConnectionPackets(this, this.inbound)
    this.outbound = new OutboundFlow(this, options)
    this.outbound.onOfflineDepth = (depth) => this.host.emit('offlineQueueDepth', depth)
    this.pending = { session: this.session, outbound: this.outbound, gate: this.gate, v5: () => this.v5, storeLife: this.storeLife, trace: this.trace, endSubscriptions: () => host.endSubscriptions() }
    this.session.onLateDeferred = () => { if (this.state === 'connected' && this.gate.resumed) this.outbound.flushOffline() }
    this.setup = new ConnectionSetup({ options, timers: this.timers, trace: this.trace, v5: () => this.v5, reconnect: () => this.loop, storeLife: this.storeLife })
    this.setup.early = early
  }

  /** The reconnect loop (undefined when reconnecting is off), made on first need: most clients connect once. */
  private reconnectLoop(): ReconnectLoop | undefined {
    return (this.loop ??= createReconnect(this.options, this.timers, this.trace, {
      reconnecting: (info) => this.host.emit('reconnecting', info),
      attempt: (servers) => {
        this.attemptServers = servers
        this.run({ type: 'attemptReconnect' })
      },
      gaveUp: (error) => queueMicrotask(() => this.run({ type: 'connectFailed', error })),
    }))
  }

  /** The live connection, if any. */
  get connection(): Connection | undefined {
    return this.conn
  }

  // ---- lifecycle ----

  /** Feed the lifecycle state machine an event and carry out the actions it asks for. */
  run(event: LifecycleEvent): void {
    const from = this.state
    const { state, actions } = transition(from, event, { reconnect: this.options.reconnect !== undefined })
    this.previous = from
    this.state = state
    if (from !== state && this.trace.verbose) this.trace.debug('state', `${from} -> ${state} (${event.type})`)
    // A closed client holds no resources: the store closes (after pending store work) and reopens on connect.
    if (state === 'closed' && from !== 'closed') {
      this.storeLife.close()
      this.inbound.closed()
      this.connectionWait.fail(() => ('error' in event && event.error) || clientClosed())
    }
    for (const action of actions) this.perform(action)
  }

  /** Carry out one action the state machine asked for. */
  private perform(a: LifecycleAction): void {
    switch (a.type) {
      case 'openConnection': void this.open(); break
      case 'startKeepalive': this.keepalive = this.setup.startKeepalive(this.conn, (error) => this.run({ type: 'keepaliveTimeout', error })); break
      case 'stopKeepalive': this.keepalive?.stop(); this.keepalive = undefined; break
      case 'resumeSession': this.gate.run(() => this.resume(a.sessionPresent), (p) => { if (this.conn) this.packets.packet(p) }); break
      case 'resolveConnect': {
        const waiter = this.waiters.connect
        this.gate.resuming!.then((resumed) => {
          this.lastConnect = { sessionPresent: a.sessionPresent, resumed }
          this.waiters.resolveConnect(waiter, this.lastConnect)
          this.connectionWait.open()
          this.host.emit('connect', this.lastConnect)
        }, (err: Error) => this.run({ type: 'protocolError', error: new MqttError('STORE_ERROR', 'session resume failed', { cause: err }) }))
        break
      }
      case 'rejectConnect': this.waiters.rejectConnect(a.error); break
      case 'startQuiesce':
        this.quiescer.start(this.quiesceMs, () => { if (this.state === 'disconnecting') this.run({ type: 'quiesceDone' }) })
        break
      case 'sendDisconnect': this.sendDisconnect(this.disconnectPacket ?? { type: 'disconnect' }); break
      case 'closeTransport':
        this.abort?.cancel()
        this.abort = undefined
        // After DISCONNECT, disconnect() resolves once the server has closed the connection too, so a connect
        // right after it does not meet the server (and this process) still tearing the old one down.
        this.closing = this.conn?.close(this.graceful)
        this.conn = undefined
        this.graceful = false
        this.session.attach(undefined)
        break
      case 'failPending': endPending(this.pending, a.error, this.state, this.previous, this.options.clean); break
      case 'notifyConnectionLost':
        this.trace.critical('client', 'connection lost', a.error)
        try { this.options.onConnectionLost?.(a.error) } catch (err) { this.reportError(err) }
        this.host.emit('connectionLost', a.error)
        break
      case 'scheduleReconnect': this.reconnectLoop()?.failed(a.error); break
      case 'cancelReconnect': this.loop?.cancel(); break
      case 'emitClose': {
        this.loop?.cancel()
        const closing = this.closing
        this.closing = undefined
        const settled = this.storeLife.settled()
        this.waiters.releaseDisconnects(closing ? Promise.all([settled, closing]).then(() => undefined) : settled)
        this.host.emit('close')
        break
      }
    }
  }

  /** Connect (or join the connect in progress); resolves once the session has resumed. */
  connect(): Promise<ConnectOutcome> {
    if (this.state === 'connected' && this.gate.resumed && this.lastConnect) return Promise.resolve(this.lastConnect)
    if (this.waiters.connect) return this.waiters.connect.promise
    if (this.state === 'disconnecting') return Promise.reject(new MqttError('INVALID_ARGUMENT', 'disconnect() is in progress'))
    const promise = this.waiters.startConnect()
    // While reconnecting, connect() resolves at the loop's next success.
    if (this.state !== 'reconnecting') this.run({ type: 'userConnect' })
    return promise
  }

  private async open(): Promise<void> {
    const abort = (this.abort = new AttemptCancel())
    try {
      if (this.options.protocolVersion === 5 && !this.v5) await this.loadMqtt5()
      const est = await this.setup.attempt(abort, this.attemptServers)
      this.setup.dropEarly()
      this.attemptServers = undefined
      if (abort.aborted || (this.state !== 'connecting' && this.state !== 'reconnecting')) { est.conn.close(false); return }
      this.conn = est.conn
      this.server = est.server
      // The first server at once, with no loop yet: nothing for one to remember (first in order, no backoff).
      if (this.loop || est.server !== this.options.servers[0]) this.reconnectLoop()?.connected(est.server)
      this.version = est.version
      this.inbound.newConnection()
      est.adopt(this.packets)
      this.session.attach(est.conn)
      if (est.version === 5) this.session.setInflightLimit(this.setup.established5(est.connack))
      this.run({ type: 'connackReceived', sessionPresent: est.connack.sessionPresent })
      for (const p of est.early) this.packets.packet(p)
      if (!est.conn.open && this.conn === est.conn) this.packets.closed(undefined)
    } catch (err) {
      this.setup.dropEarly()
      if (this.abort === abort && !abort.aborted) {
        const error = err instanceof Error ? err : new MqttError('UNKNOWN', String(err))
        this.attemptServers = undefined
        this.run({ type: 'connectFailed', error, retry: retriesAfter(this.options.reconnect, error, this.state === 'reconnecting') })
      }
    }
  }

  /** The MQTT 5 machinery, imported on the first MQTT 5 connect (its own chunk: MQTT 3.1.x apps never load it). */
  private async loadMqtt5(): Promise<void> {
    const { Mqtt5Session, Mqtt5Control } = await import('./mqtt5.js')
    const v5 = (this.v5 ??= new Mqtt5Session(this.options.authenticator, this.options.followServerReference ?? false))
    this.control5 ??= new Mqtt5Control(this, v5)
  }

  /** Start the session on the new connection; new packets and publishes wait in the gate meanwhile. */
  private resume(sessionPresent: boolean): ResumedReceipt[] | Promise<ResumedReceipt[]> {
    // MQTT 5: a server without our session means ours is gone too [MQTT-3.2.2-5].
    const fresh = this.options.clean || (this.version === 5 && !sessionPresent)
    const receipts = fresh ? this.session.cleanStart() : this.session.resume(sessionPresent)
    // A clean start with nothing to replay (a new client's connect) finishes without a promise turn.
    if (Array.isArray(receipts)) return this.started(sessionPresent, receipts)
    return receipts.then((r) => this.started(sessionPresent, r))
  }

  /** The store's part of the resume is done: screen replays, subscribe again if needed, send what waited offline. */
  private started(sessionPresent: boolean, receipts: ResumedReceipt[]): ResumedReceipt[] {
    this.inbound.sessionStarted(sessionPresent)
    // The server forgot our subscriptions: establish them again, before the queued publishes leave.
    if (!sessionPresent && this.conn) resubscribe(this.host.liveSubscriptions(), this.session, this.trace, (err) => this.reportError(err))
    this.outbound.flushOffline()
    return receipts
  }

  /** Publishes accepted while no connection was up and not sent yet. */
  get offlineQueueDepth(): number {
    return this.outbound.offlineLength
  }

  /** QoS 0 messages dropped because ordered dispatch's backlog was full, and messages no subscription claimed. */
  get droppedMessages(): number {
    return this.inbound.droppedMessages
  }

  /** The keepalive in use: the server's (MQTT 5 Server Keep Alive) or ours, seconds. */
  get keepaliveSeconds(): number {
    return this.setup.keepaliveSeconds
  }

  /** Let in-flight work finish for up to quiesceMs, send DISCONNECT and close; always settles. */
  disconnect(quiesceMs: number, packet?: DisconnectPacket): Promise<void> {
    this.disconnectPacket = this.version === 5 ? packet : undefined
    if (this.state === 'idle' || this.state === 'closed') {
      endOffline(this.pending, this.options.clean)
      return this.storeLife.settled()
    }
    const done = this.waiters.waitDisconnect()
    if (this.state !== 'disconnecting') {
      this.quiesceMs = quiesceMs
      this.run({ type: 'userDisconnect' })
    }
    return done
  }

  /** Drop the connection at once (no DISCONNECT); `discard` also gives up every pending message. */
  destroy(discard = false): void {
    const closed = this.state === 'idle' || this.state === 'closed'
    if (discard) discardSession(this.pending, closed)
    if (closed) endOffline(this.pending, this.options.clean)
    this.run({ type: 'userDestroy' })
  }

  // ---- publishing and requests ----

  /** Publish; see outbound-flow.ts for where it goes in each state. */
  publish(packet: PublishPacket): Promise<PublishResult> {
    return this.outbound.publish(packet)
  }

  /** SUBSCRIBE / UNSUBSCRIBE with a fresh packet id; resolves with what `onAck` makes of the ack. */
  request<T>(build: (id: number) => Packet, kind: 'suback' | 'unsuback', onAck: (p: Packet) => T): Promise<T> {
    return this.outbound.request(build, kind, onAck)
  }

  /** Send DISCONNECT on the live connection; the close then lets it leave instead of cutting it off. */
  sendDisconnect(packet: DisconnectPacket): void {
    this.conn?.send(packet)
    this.graceful = true
  }

  /** See MqttClient.reconnectNow(). */
  reconnectNow(): boolean {
    return this.loop?.retryNow() ?? false
  }

  /**
   * Report a failure (a handler that threw, a failed resubscribe) on the client's 'error' event. With no
   * listener it is not lost in silence, nor fatal: browsers report it as an uncaught error (reportError),
   * Node prints it on stderr.
   */
  reportError(error: unknown): void {
    const err = error instanceof Error ? error : new MqttError('UNKNOWN', String(error), { cause: error })
    if (this.host.hasListeners('error')) this.host.emit('error', err)
    else unhandled(err)
  }
}

/** An error nobody listens for: the platform's uncaught-error report where there is one, else stderr. */
function unhandled(err: Error): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError
  if (typeof report === 'function') report(err)
  else console.error('isomqtt: unhandled error (listen for the client\'s "error" event to handle it):', err)
}
