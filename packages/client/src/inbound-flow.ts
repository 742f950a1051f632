// Received PUBLISH packets on their way to the application: MQTT 5 screening, exactly-once for QoS 2,
// dispatch to the subscriptions' handlers, and the acknowledgement once the handlers are done.
import type { ProtocolVersion, PublishPacket } from '@isomqtt/codec'
import { Dispatcher, type DispatchHost } from './dispatcher.js'
import type { MqttError } from './errors.js'
import { Message, type Responder } from './message.js'
import type { Mqtt5Control } from './mqtt5-control.js'
import type { Mqtt5Session } from './mqtt5-session.js'
import type { ResolvedOptions } from './options.js'
import { Qos2ReplayGuard } from './qos2-replay-guard.js'
import type { Router } from './router.js'
import type { Session } from './session.js'
import type { ConnectionState } from './state-machine.js'
import type { Subscription } from './subscription.js'
import type { TimerSource } from './timers.js'
import type { Tracer } from './trace.js'
import { UnclaimedHold } from './unclaimed-hold.js'

/** What the inbound flow reads from the runtime. */
export interface InboundHost {
  readonly state: ConnectionState
  readonly version: ProtocolVersion
  readonly session: Session
  /** MQTT 5 state (undefined until the first MQTT 5 connect). */
  readonly v5: Mqtt5Session<Subscription> | undefined
  readonly trace: Tracer
  readonly timers: TimerSource
  readonly responder: Responder | undefined
  /** Settles the request() a message answers, as it arrives. */
  readonly responses: ((message: Message) => void) | undefined
  /** MQTT 5: closes with DISCONNECT carrying an error's reason code. */
  readonly control5: Mqtt5Control | undefined
  /** A handler failed: the client's 'error' event. */
  reportError(error: unknown): void
}

/** The client's events, as far as messages go. */
export interface MessageEvents {
  emit(event: 'message', message: Message): void
  hasListeners(event: 'message'): boolean
}

/** Inbound publishes of one client, across its connections. */
export class InboundFlow implements DispatchHost {
  private readonly dispatcher: Dispatcher
  /** Connection generation: an ack is only sent on the connection its message arrived on. */
  private gen = 0
  private readonly qos2Stored = new Map<number, Promise<void>>()
  private readonly replays = new Qos2ReplayGuard()
  private readonly hold: UnclaimedHold
  private readonly scratch: Subscription[] = []
  private warnedUnclaimed = false
  /** QoS 0 messages dropped because the dispatch backlog was full, and messages no subscription claimed. */
  droppedMessages = 0

  constructor(
    private readonly rt: InboundHost,
    private readonly events: MessageEvents,
    private readonly router: Router<Subscription>,
    private readonly options: ResolvedOptions,
  ) {
    this.dispatcher = new Dispatcher(this, options.orderMatters, options.dispatchBacklog)
    this.hold = new UnclaimedHold(options.unclaimedHoldMs, options.dispatchBacklog, rt.timers)
  }

  /** A new connection is up: acks of messages from earlier ones are not sent on it. */
  newConnection(): void {
    this.gen++
  }

  /** The session started on a new connection: only a resumed one can bring replays (see qos2-replay-guard.ts). */
  sessionStarted(sessionPresent: boolean): void {
    this.replays.connected(sessionPresent)
    this.hold.sessionStarted(sessionPresent)
    this.warnedUnclaimed = false
  }

  /** Subscriptions or a 'message' listener were added: held messages they claim are delivered now (see unclaimed-hold.ts). */
  claimantAdded(): void {
    const all = this.events.hasListeners('message')
    this.hold.claim((m) => all || this.routes(m.topic, this.scratch, m).length > 0)
  }

  /** A subscribe() starts (+1) or has settled (-1) (see unclaimed-hold.ts). */
  subscribing(delta: 1 | -1): void {
    this.hold.subscribe(delta)
  }

  /** The client closed: held messages are forgotten, unacknowledged (the server keeps those of QoS 1 and 2). */
  closed(): void {
    this.hold.close(true)
  }

  /** PUBREL for an inbound QoS 2 id: the exchange ends (the session answers PUBCOMP). */
  released(id: number): void {
    this.replays.release(id)
    this.rt.v5?.released(id)
  }

  /** One PUBLISH from the server. */
  receive(p: PublishPacket): void {
    const rt = this.rt
    if (p.oversized !== undefined) {
      this.oversized(p)
      return
    }
    // An MQTT 5 connection exists only once its machinery (v5, control5) is loaded.
    if (rt.version === 5 && rt.v5) {
      try {
        if (!rt.v5.accept(p, (qos, id, reason) => rt.session.acknowledge(qos, id, reason), rt.trace)) return
      } catch (err) {
        rt.control5!.fail(err as MqttError)
        return
      }
    }
    const message = new Message(p, rt.version === 5 ? rt.responder : undefined)
    message.connectionGen = this.gen
    // Every PUBLISH goes past the guard: the first DUP=0 one ends its window.
    const replay = this.replays.check(p)
    if (p.qos === 2) {
      const r = replay ? { deliver: false, stored: Promise.resolve() } : rt.session.receiveQos2(p.packetId!)
      if (!r.deliver) {
        // A redelivery of a message already given to the application [MQTT-4.3.3-2]: acknowledge only.
        if (rt.trace.verbose) rt.trace.debug('message', `duplicate QoS 2 id=${p.packetId}: not delivered again`)
        rt.session.acknowledge(2, p.packetId!)
        return
      }
      this.qos2Stored.set(p.packetId!, r.stored)
      message.ready = r.stored
      this.replays.delivered(p.packetId!, p.topic, p.payload)
    }
    // A response settles its request() now, not after the handlers queued before it: a handler that awaits a
    // request() would otherwise wait for itself. The message is still dispatched in order (to a '#' handler, say).
    rt.responses?.(message)
    this.dispatcher.dispatch(message)
  }

  /** Subscriptions for a message (DispatchHost). */
  routes(topic: string, out: Subscription[], message?: Message): Subscription[] {
    // MQTT 5: the identifiers say which subscriptions the server matched, so overlaps get no duplicates.
    const ids = message?.properties?.subscriptionIdentifiers
    if (ids && this.rt.v5?.subIds.route(topic, ids, out)) return out
    return this.router.match(topic, out)
  }

  /** The handler for messages no subscription claims (DispatchHost). */
  get defaultHandler(): ((m: Message) => unknown) | undefined {
    return this.options.onMessage
  }

  /** The client's 'message' event, only when someone listens (DispatchHost). */
  emitMessage(message: Message): void {
    if (this.events.hasListeners('message')) this.events.emit('message', message)
  }

  /** A handler threw or rejected (DispatchHost). */
  handlerError(error: unknown, message: Message): void {
    if (this.rt.trace.warns) this.rt.trace.warn('message', `handler failed for ${message.topic}`, error)
    this.rt.reportError(error)
  }

  /**
   * MQTT 3.1.x: a message above maxIncomingPacketSize, read past by the parser. The server was not told the limit,
   * and would send a message it keeps for the session again on every connection if this one ended: it is
   * acknowledged (through PUBREC/PUBREL/PUBCOMP for QoS 2) and dropped, counted and traced.
   */
  private oversized(p: PublishPacket): void {
    if (p.qos > 0) this.rt.session.acknowledge(p.qos, p.packetId!)
    this.droppedMessages++
    if (this.rt.trace.warns) this.rt.trace.warn('message', `a message of ${p.oversized} bytes on ${p.topic} exceeds maxIncomingPacketSize ${this.options.maxIncomingPacketSize}: dropped`)
  }

  /** A message nobody claims: held while a window is open (see unclaimed-hold.ts), else dropped (DispatchHost). */
  unclaimed(message: Message): Promise<void> | undefined {
    if (this.events.hasListeners('message')) return undefined
    const held = this.hold.keep(message)
    if (held) return held
    this.droppedMessages++
    if (!this.warnedUnclaimed && this.rt.trace.warns) {
      this.warnedUnclaimed = true
      this.rt.trace.warn('message', `a message on ${message.topic} matched no subscription, onMessage or 'message' listener: dropped (warned once per connection; droppedMessages counts them)`)
    }
    return undefined
  }

  /** A QoS 0 message found the backlog full (DispatchHost). */
  dropped(message: Message, first: boolean): void {
    this.droppedMessages++
    if (first && this.rt.trace.warns) {
      const { maxMessages, maxBytes } = this.options.dispatchBacklog
      this.rt.trace.warn('message', `handlers are behind (backlog at ${this.dispatcher.backlog} messages, limits ${maxMessages} messages / ${maxBytes} bytes): dropping QoS 0 messages, from ${message.topic}`)
    }
  }

  /** The loops iterating a message whose handlers were done are done with it too: acknowledge it now. */
  taken(message: Message): void {
    message.ackDeferred = false
    this.done(message)
  }

  /** Handlers are done: acknowledge (QoS 2 once `i.<id>` is stored), unless iterations still hold it (DispatchHost). */
  done(message: Message): void {
    if (message.qos === 0) return
    if (message.untaken > 0) { message.ackDeferred = true; return }
    const id = message.packetId!
    const gen = message.connectionGen
    const rt = this.rt
    // Acknowledging on a later connection could ack a different message with the same id: the server resends.
    if (gen !== this.gen || rt.state !== 'connected') return
    if (message.qos === 1) { rt.session.acknowledge(1, id); rt.v5?.released(id); return }
    const stored = this.qos2Stored.get(id)
    this.qos2Stored.delete(id)
    ;(stored ?? Promise.resolve()).then(
      () => { if (gen === this.gen && rt.state === 'connected') rt.session.acknowledge(2, id) },
      (err: unknown) => { if (rt.trace.on) rt.trace.critical('store', `inbound id ${id} not stored`, err) },
    )
  }
}
