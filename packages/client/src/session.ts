// The session: packet ids, in-flight QoS 1/2 both ways, and store replay. It outlives connections: a
// Connection is attached while one is up, and a persistent session resumes on the next one. The outbound
// work lives in publish-admission (the way in), outbound-acks (the way out) and store-replay (resuming);
// this file ties them to SUBSCRIBE/UNSUBSCRIBE acks, inbound QoS 2 and the connection's end.
import { encode } from '@isomqtt/codec'
import type { Packet, PublishPacket, QoS } from '@isomqtt/codec'
import type { Store } from '@isomqtt/store'
import type { Connection } from './connection.js'
import { MqttError, notConnected } from './errors.js'
import { InboundQos2 } from './inbound-qos2.js'
import { OutboundAcks } from './outbound-acks.js'
import { OutboundTable } from './outbound-table.js'
import { PacketIds } from './packet-ids.js'
import { PublishAdmission } from './publish-admission.js'
import type { PublishResult, ResumedReceipt } from './publish-result.js'
import { StoreQueue } from './store-queue.js'
import { cleanStart, resume } from './store-replay.js'
import { monotonicNow } from './timers.js'
import type { Tracer } from './trace.js'

interface PendingAck {
  kind: 'suback' | 'unsuback'
  /** Runs synchronously as the ack is read (so routes exist before the next packet); its result resolves. */
  onAck: (p: Packet) => unknown
  resolve: (v: unknown) => void
  reject: (e: Error) => void
}

/** Session limits. */
export interface SessionOptions {
  store: Store
  trace: Tracer
  maxInflight: number
  maxQueued: number
  /** A connection lost sooner than this after it started counts as a quick loss; 0: no refusal probe (reconnect.giveUpRefused off). */
  quickLossMs: number
}

/** Packet ids, in-flight state and the store, independent of any one connection. */
export class Session {
  readonly ids = new PacketIds()
  private readonly acks = new Map<number, PendingAck>()
  private readonly storeQueue: StoreQueue
  private readonly inbound: InboundQos2
  private readonly table: OutboundTable
  private readonly admission: PublishAdmission
  private readonly outAcks: OutboundAcks
  /** A connection was attached and its end is not handled yet. */
  private attached = false

  constructor(private readonly options: SessionOptions) {
    this.storeQueue = new StoreQueue(options.store, options.trace)
    this.inbound = new InboundQos2(options.store, this.storeQueue)
    this.table = new OutboundTable({
      store: options.store,
      storeQueue: this.storeQueue,
      ids: this.ids,
      trace: options.trace,
      limits: { maxInflight: options.maxInflight, maxQueued: options.maxQueued },
      quickLossMs: options.quickLossMs,
      checkIdle: () => this.checkIdle(),
    })
    this.admission = new PublishAdmission(this.table)
    this.outAcks = new OutboundAcks(this.table)
  }

  /** QoS 1/2 publishes awaiting acknowledgement. */
  get inflight(): number {
    return this.table.entries.size
  }

  /** Publishes accepted but not yet written. */
  get queued(): number {
    return this.table.waiting + (this.table.conn?.queue.queuedPublishes ?? 0)
  }

  /** Inbound QoS 2 packet ids held until PUBREL. */
  get heldInbound(): ReadonlySet<number> {
    return this.inbound.ids
  }

  /** MQTT 5: the bytes to write for a stored publish (with a topic alias); the store keeps `bytes`. */
  get wire(): ((packet: PublishPacket, bytes: Uint8Array) => Uint8Array) | undefined {
    return this.table.wire
  }

  set wire(fn: ((packet: PublishPacket, bytes: Uint8Array) => Uint8Array) | undefined) {
    this.table.wire = fn
  }

  /** Called when an offline publish that had to wait for a packet id got one (the offline queue resumes). */
  set onLateDeferred(fn: (() => void) | undefined) {
    this.table.lateDeferred = fn
  }

  /** Attach the live connection (or none). */
  attach(conn: Connection | undefined): void {
    if (!conn) {
      this.table.conn = undefined
      return
    }
    this.table.attached(conn)
    this.attached = true
  }

  /**
   * Publish at QoS 1 or 2: into the store, then onto the wire; settles at PUBACK / PUBCOMP. A `deferred`
   * publish (made offline) is only stored: it takes no in-flight slot and waits for sendDeferred().
   */
  publish(packet: PublishPacket, deferred = false): Promise<PublishResult> {
    return this.admission.publish(packet, deferred, this.queued)
  }

  /** MQTT 5: the server's Receive Maximum caps the in-flight window for this connection. */
  setInflightLimit(limit: number): void {
    this.table.setInflightLimit(limit)
  }

  /** Open the store, in line with the store operations issued before and after this call. */
  openStore(): Promise<void> {
    return this.storeQueue.run(() => this.options.store.open())
  }

  /** Send an offline-queued publish now, in the offline queue's order; false when it is gone. */
  sendDeferred(id: number): boolean {
    return this.admission.sendDeferred(id)
  }

  /**
   * The link dropped and a reconnect follows: publishes waiting for an in-flight slot leave the line and are
   * admitted (stored) as offline ones; returns them oldest first for the head of the offline queue.
   */
  takeSlotWaiters(): PublishPacket[] {
    return this.table.slots.takeAll()
  }

  /** Give up an outbound message (dropped from the offline queue): out of the store, promise rejected. */
  discard(id: number, error: Error): void {
    const entry = this.table.entries.get(id)
    if (!entry) return
    this.table.forget(id)
    entry.reject(error)
  }

  /** Send SUBSCRIBE / UNSUBSCRIBE with a fresh id; resolves with what `onAck` makes of SUBACK / UNSUBACK. */
  async request<T>(build: (id: number) => Packet, kind: PendingAck['kind'], onAck: (p: Packet) => T): Promise<T> {
    const maybeId = this.ids.acquire()
    const id = typeof maybeId === 'number' ? maybeId : await maybeId
    const conn = this.table.conn
    if (!conn?.open) {
      this.ids.release(id)
      throw notConnected()
    }
    return new Promise<T>((resolve, reject) => {
      this.acks.set(id, { kind, onAck, resolve: resolve as (v: unknown) => void, reject })
      conn.send(build(id))
    })
  }

  /** A PINGRESP arrived (a refusal probe asks for one before each PUBLISH). */
  pingAnswered(): void {
    this.table.pingAnsweredAt = monotonicNow()
  }

  /** Handle an acknowledgement or PUBREL; returns false for packets that are not the session's. */
  handle(packet: Packet): boolean {
    switch (packet.type) {
      case 'puback': this.outAcks.puback(packet.packetId, packet.reasonCode ?? 0, packet.properties); return true
      case 'pubrec': this.outAcks.pubrec(packet.packetId, packet.reasonCode ?? 0, packet.properties); return true
      case 'pubcomp': this.outAcks.pubcomp(packet.packetId, packet.reasonCode ?? 0, packet.properties); return true
      case 'pubrel': this.onPubrel(packet.packetId); return true
      case 'suback': case 'unsuback': {
        const ack = this.acks.get(packet.packetId)
        if (!ack || ack.kind !== packet.type) {
          if (this.options.trace.warns) this.options.trace.warn('msgids', `unexpected ${packet.type.toUpperCase()} id=${packet.packetId}`)
          return true
        }
        this.acks.delete(packet.packetId)
        this.ids.release(packet.packetId)
        try {
          ack.resolve(ack.onAck(packet))
        } catch (err) {
          ack.reject(err as Error)
        }
        this.checkIdle()
        return true
      }
      default:
        return false
    }
  }

  /** Called when nothing is in flight any more (disconnect's quiesce waits for it). */
  onIdle: (() => void) | undefined

  /** True when no publish, subscribe or unsubscribe is waiting for the server. */
  get idle(): boolean {
    return this.table.entries.size === 0 && this.acks.size === 0 && this.table.waiting === 0
  }

  private checkIdle(): void {
    if (this.onIdle && this.idle) this.onIdle()
  }

  /** Resolves when every store operation issued so far has finished. */
  settled(): Promise<unknown> {
    return this.storeQueue.settled()
  }

  /** An inbound QoS 2 PUBLISH: deliver only when new; the id is held until PUBREL. */
  receiveQos2(id: number): { deliver: boolean; stored: Promise<void> } {
    return this.inbound.receive(id, encode({ type: 'pubrec', packetId: id }, this.table.version))
  }

  /** Acknowledge an inbound QoS 1 (PUBACK) or QoS 2 (PUBREC) publish; MQTT 5 may give a reason code. */
  acknowledge(qos: QoS, id: number, reasonCode?: number): void {
    this.table.conn?.queue.controlPacket({ type: qos === 1 ? 'puback' : 'pubrec', packetId: id, reasonCode }, this.table.version)
  }

  private onPubrel(id: number): void {
    const pubcomp = encode({ type: 'pubcomp', packetId: id }, this.table.version)
    const conn = this.table.conn
    const released = this.inbound.release(id)
    // PUBCOMP once `i.<id>` is gone; an unknown id is completed anyway so the server's state ends.
    if (!released) conn?.queue.control(pubcomp)
    else released.then(() => conn?.queue.control(pubcomp), () => conn?.queue.control(pubcomp))
  }

  /** QoS 1/2 publishes dropped by writeTimeoutMs: given up, so out of the store and rejected. */
  expire(ids: number[], error: Error): void {
    this.outAcks.expire(ids, error)
  }

  /**
   * The connection ended. Pending SUBSCRIBE/UNSUBSCRIBE reject. With `keep` (a reconnect follows, or a
   * persistent session waits for the next connect) QoS 1/2 publishes stay pending, in flight or waiting
   * for a slot; otherwise they reject with `error` (a clean session's are deleted from the store;
   * disconnect()/destroy() of a persistent one leave them there).
   */
  connectionEnded(error: Error, keep: boolean, clean: boolean): void {
    const t = this.table
    // Detached by now (the transport closes first): `attached` says a connection, not an attempt, ended.
    const attached = this.attached
    this.attached = false
    t.conn = undefined
    t.clearResends()
    // A loss the user did not ask for, with messages kept for the next connection: did one of them cause it?
    if (keep && attached && (error as MqttError).code !== 'CLOSED') t.connectionLost()
    for (const [id, ack] of this.acks) {
      this.ids.release(id)
      ack.reject(error)
    }
    this.acks.clear()
    if (keep) return
    t.slots.rejectAll(error)
    t.deferred.clear()
    for (const [id, entry] of t.entries) {
      t.entries.delete(id)
      this.ids.release(id)
      if (clean) this.storeQueue.delOut(id)
      entry.reject(error)
    }
  }

  /** A clean session: forget everything, in memory and in the store. */
  async reset(): Promise<void> {
    const discarded = new MqttError('DISCARDED', 'the session was cleaned')
    for (const [id, entry] of this.table.entries) {
      this.table.entries.delete(id)
      this.ids.release(id)
      entry.reject(discarded)
    }
    this.inbound.clear()
    this.ids.clear()
    await this.storeQueue.run(() => this.options.store.reset())
  }

  /** A clean session started on the attached connection (see store-replay.ts cleanStart). */
  cleanStart(): ResumedReceipt[] | Promise<ResumedReceipt[]> {
    return cleanStart(this.table, this.inbound)
  }

  /** Resume a persistent session on the attached connection (see store-replay.ts resume). */
  resume(sessionPresent: boolean): Promise<ResumedReceipt[]> {
    return resume(this.table, this.inbound, sessionPresent)
  }
}
