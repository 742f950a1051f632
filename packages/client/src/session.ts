// The session: packet ids, in-flight QoS 1/2 both ways, and store replay. It outlives connections: a
// Connection is attached while one is up, and a persistent session resumes on the next one.
import { encode } from '@isomqtt/codec'
import type { AckProperties, Packet, PublishPacket, ProtocolVersion, QoS } from '@isomqtt/codec'
import type { Store } from '@isomqtt/store'
import type { Connection } from './connection.js'
import { MqttError } from './errors.js'
import { InflightSlots } from './inflight-slots.js'
import { PacketIds } from './packet-ids.js'
import type { PublishResult, ResumedReceipt } from './publish-result.js'
import { ackOutcome } from './reason.js'
import { InboundQos2 } from './inbound-qos2.js'
import { readStoredSession } from './session-replay.js'
import { StoreQueue } from './store-queue.js'
import type { Tracer } from './trace.js'

interface Outbound {
  qos: QoS
  topic: string | undefined
  stage: 'publish' | 'pubrel'
  /** Handed to a connection at least once (a resend sets DUP; a clean session cannot resend it at QoS 2). */
  sent: boolean
  /** MQTT 5: the PUBREC reason (e.g. 0x10), reported when PUBCOMP completes the publish. */
  recReason?: number
  promise: Promise<PublishResult>
  resolve: (r: PublishResult) => void
  reject: (e: Error) => void
}

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
}

const outKey = (id: number): string => `o.${id}`

/** Packet ids, in-flight state and the store, independent of any one connection. */
export class Session {
  readonly ids = new PacketIds()
  private readonly outbound = new Map<number, Outbound>()
  private readonly acks = new Map<number, PendingAck>()
  private readonly storeQueue: StoreQueue
  private readonly inbound: InboundQos2
  private readonly slots = new InflightSlots()
  /** Offline-queued QoS 1/2 publishes: stored, not yet sent; the offline queue sends them in its order. */
  private readonly deferred = new Map<number, Uint8Array>()
  private waiting = 0
  private conn: Connection | undefined
  private version: ProtocolVersion = 4

  constructor(private readonly options: SessionOptions) {
    this.storeQueue = new StoreQueue(options.trace)
    this.inbound = new InboundQos2(options.store, this.storeQueue)
  }

  /** QoS 1/2 publishes awaiting acknowledgement. */
  get inflight(): number {
    return this.outbound.size
  }

  /** Publishes accepted but not yet written. */
  get queued(): number {
    return this.waiting + (this.conn?.queue.queuedPublishes ?? 0)
  }

  /** Inbound QoS 2 packet ids held until PUBREL. */
  get heldInbound(): ReadonlySet<number> {
    return this.inbound.ids
  }

  /** Attach the live connection (or none). */
  attach(conn: Connection | undefined): void {
    this.conn = conn
    if (conn) this.version = conn.version
  }

  /** Run store operations one after another, in call order (replay order = first-put order). */
  private stored(op: () => Promise<unknown>): Promise<void> {
    return this.storeQueue.run(op)
  }

  /**
   * Publish at QoS 1 or 2: into the store, then onto the wire; settles at PUBACK / PUBCOMP. A `deferred`
   * publish (made offline) is only stored: it takes no in-flight slot and waits for sendDeferred().
   */
  publish(packet: PublishPacket, deferred = false): Promise<PublishResult> {
    if (deferred) {
      this.waiting++
      return this.admit(packet, true)
    }
    if (this.queued >= this.options.maxQueued) {
      return Promise.reject(new MqttError('QUEUE_FULL', `more than ${this.options.maxQueued} publishes waiting to be written`))
    }
    this.waiting++
    if (this.outbound.size >= this.options.maxInflight || this.slots.waiting) {
      return this.slots.wait().then(() => this.admit(packet), (err: Error) => { this.waiting--; throw err })
    }
    return this.admit(packet)
  }

  private admit(packet: PublishPacket, deferred = false): Promise<PublishResult> {
    const id = this.ids.acquire()
    if (typeof id === 'number') return this.admitWithId(packet, id, deferred)
    return id.then((free) => this.admitWithId(packet, free, deferred))
  }

  /**
   * Register the message and join this tick's store batch: every publish admitted in the same tick is put
   * at once (in call order) and, once stored, handed to the transport in one go, so they share one write.
   */
  private admitWithId(packet: PublishPacket, id: number, deferred: boolean): Promise<PublishResult> {
    packet.packetId = id
    const bytes = encode(packet, this.version)
    let resolve!: (r: PublishResult) => void
    let reject!: (e: Error) => void
    const promise = new Promise<PublishResult>((res, rej) => { resolve = res; reject = rej })
    const entry: Outbound = { qos: packet.qos, topic: packet.topic, stage: 'publish', sent: false, promise, resolve, reject }
    this.outbound.set(id, entry)
    if (deferred) this.deferred.set(id, bytes)
    this.putBatch.push({ id, bytes, entry, packet })
    if (this.putBatch.length === 1) queueMicrotask(this.flushPuts)
    return promise
  }

  private putBatch: Array<{ id: number; bytes: Uint8Array; entry: Outbound; packet: PublishPacket }> = []

  /** MQTT 5: the bytes to write for a stored publish (with a topic alias); the store keeps `bytes`. */
  wire: ((packet: PublishPacket, bytes: Uint8Array) => Uint8Array) | undefined

  /** MQTT 5: the server's Receive Maximum caps the in-flight window for this connection. */
  setInflightLimit(limit: number): void {
    this.options.maxInflight = limit
    for (let free = limit - this.outbound.size; free > 0 && this.slots.waiting; free--) this.slots.wake()
  }

  private readonly flushPuts = (): void => {
    const batch = this.putBatch
    this.putBatch = []
    const store = this.options.store
    this.stored(() => Promise.all(batch.map((b) => store.put(outKey(b.id), b.bytes)))).then(
      () => {
        const conn = this.conn
        for (const b of batch) {
          this.waiting--
          // Not connected any more: it is resent when the session resumes (offline ones by the offline queue).
          if (!conn?.open || this.outbound.get(b.id) !== b.entry || this.deferred.has(b.id)) continue
          b.entry.sent = true
          conn.queue.publish(this.wire ? this.wire(b.packet, b.bytes) : b.bytes, b.id)
        }
      },
      (cause: unknown) => {
        for (const b of batch) {
          this.waiting--
          if (this.outbound.get(b.id) !== b.entry) continue
          this.forget(b.id)
          b.entry.reject(new MqttError('STORE_ERROR', 'could not store the message', { cause }))
        }
      },
    )
  }

  /** Open the store, in line with the store operations issued before and after this call. */
  openStore(): Promise<void> {
    return this.stored(() => this.options.store.open())
  }

  /** Send an offline-queued publish now, in the offline queue's order; false when it is gone. */
  sendDeferred(id: number): boolean {
    const bytes = this.deferred.get(id)
    const entry = this.outbound.get(id)
    if (!bytes || !entry || !this.conn?.open) return false
    this.deferred.delete(id)
    entry.sent = true
    this.conn.queue.publish(bytes, id)
    return true
  }

  /** Give up an outbound message (dropped from the offline queue): out of the store, promise rejected. */
  discard(id: number, error: Error): void {
    const entry = this.outbound.get(id)
    if (!entry) return
    this.forget(id)
    entry.reject(error)
  }

  /** Send SUBSCRIBE / UNSUBSCRIBE with a fresh id; resolves with what `onAck` makes of SUBACK / UNSUBACK. */
  async request<T>(build: (id: number) => Packet, kind: PendingAck['kind'], onAck: (p: Packet) => T): Promise<T> {
    const maybeId = this.ids.acquire()
    const id = typeof maybeId === 'number' ? maybeId : await maybeId
    const conn = this.conn
    if (!conn?.open) {
      this.ids.release(id)
      throw new MqttError('NOT_CONNECTED', 'not connected')
    }
    return new Promise<T>((resolve, reject) => {
      this.acks.set(id, { kind, onAck, resolve: resolve as (v: unknown) => void, reject })
      conn.send(build(id))
    })
  }

  /** Handle an acknowledgement or PUBREL; returns false for packets that are not the session's. */
  handle(packet: Packet): boolean {
    switch (packet.type) {
      case 'puback': return this.onPuback(packet.packetId, packet.reasonCode ?? 0, packet.properties)
      case 'pubrec': return this.onPubrec(packet.packetId, packet.reasonCode ?? 0, packet.properties)
      case 'pubcomp': return this.onPubcomp(packet.packetId, packet.reasonCode ?? 0, packet.properties)
      case 'pubrel': return this.onPubrel(packet.packetId)
      case 'suback': case 'unsuback': {
        const ack = this.acks.get(packet.packetId)
        if (!ack || ack.kind !== packet.type) {
          this.options.trace.warn('msgids', `unexpected ${packet.type.toUpperCase()} id=${packet.packetId}`)
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

  private onPuback(id: number, reasonCode: number, props?: AckProperties): boolean {
    const entry = this.outbound.get(id)
    if (!entry || entry.qos !== 1) {
      this.options.trace.warn('msgids', `unexpected PUBACK id=${id}: ignored`)
      return true
    }
    this.complete(id, entry, reasonCode, props)
    return true
  }

  private onPubrec(id: number, reasonCode: number, props?: AckProperties): boolean {
    const entry = this.outbound.get(id)
    const pubrel = encode({ type: 'pubrel', packetId: id }, this.version)
    if (!entry || entry.qos !== 2) {
      // Release it anyway so the server's state for this id ends.
      this.options.trace.warn('msgids', `unexpected PUBREC id=${id}: answering PUBREL`)
      this.conn?.queue.control(pubrel)
      return true
    }
    // [MQTT-4.3.3-4] a PUBREC with a failure reason ends the exchange: no PUBREL, the publish rejects.
    if (reasonCode >= 0x80) {
      this.complete(id, entry, reasonCode, props)
      return true
    }
    if (reasonCode !== 0) entry.recReason = reasonCode
    if (entry.stage === 'publish') {
      entry.stage = 'pubrel'
      // The PUBREL stage is stored too, so a restart resends PUBREL and not the PUBLISH.
      this.stored(() => this.options.store.put(outKey(id), pubrel)).then(
        () => { if (this.outbound.get(id) === entry) this.conn?.queue.control(pubrel) },
        () => { this.conn?.queue.control(pubrel) },
      )
    } else {
      this.conn?.queue.control(pubrel)
    }
    return true
  }

  private onPubcomp(id: number, reasonCode: number, props?: AckProperties): boolean {
    const entry = this.outbound.get(id)
    if (!entry || entry.qos !== 2) {
      this.options.trace.warn('msgids', `unexpected PUBCOMP id=${id}: ignored`)
      return true
    }
    this.complete(id, entry, reasonCode === 0 ? entry.recReason ?? 0 : reasonCode, props)
    return true
  }

  private complete(id: number, entry: Outbound, reasonCode: number, props: AckProperties | undefined): void {
    this.forget(id)
    const outcome = ackOutcome(id, entry.qos, reasonCode, props)
    if (outcome instanceof Error) entry.reject(outcome)
    else entry.resolve(outcome)
  }

  /** Drop an outbound message: map, store, id, and wake a publish waiting for a slot. */
  private forget(id: number): void {
    this.outbound.delete(id)
    this.deferred.delete(id)
    this.ids.release(id)
    void this.stored(() => this.options.store.del(outKey(id))).catch(() => {})
    if (!this.resendNext()) this.wakeSlot()
    this.checkIdle()
  }

  /**
   * MQTT 5 flow control on resume [MQTT-4.9.0-2]: stored PUBLISHes beyond the server's Receive Maximum wait
   * here and leave one per freed slot, before any new publish.
   */
  private resendQueue: Array<{ id: number; bytes: Uint8Array }> = []
  private resendHead = 0

  private resendNext(): boolean {
    while (this.resendHead < this.resendQueue.length) {
      const next = this.resendQueue[this.resendHead++]!
      if (this.resendHead === this.resendQueue.length) { this.resendQueue = []; this.resendHead = 0 }
      if (!this.outbound.has(next.id) || !this.conn?.open) continue
      this.conn.queue.publish(next.bytes, next.id)
      return true
    }
    return false
  }

  /** Called when nothing is in flight any more (disconnect's quiesce waits for it). */
  onIdle: (() => void) | undefined

  /** True when no publish, subscribe or unsubscribe is waiting for the server. */
  get idle(): boolean {
    return this.outbound.size === 0 && this.acks.size === 0 && this.waiting === 0
  }

  private checkIdle(): void {
    if (this.onIdle && this.idle) this.onIdle()
  }

  /** Resolves when every store operation issued so far has finished. */
  settled(): Promise<unknown> {
    return this.storeQueue.settled()
  }

  private wakeSlot(): void {
    if (this.outbound.size < this.options.maxInflight) this.slots.wake()
  }

  /** An inbound QoS 2 PUBLISH: deliver only when new; the id is held until PUBREL. */
  receiveQos2(id: number): { deliver: boolean; stored: Promise<void> } {
    return this.inbound.receive(id, encode({ type: 'pubrec', packetId: id }, this.version))
  }

  /** Acknowledge an inbound QoS 1 (PUBACK) or QoS 2 (PUBREC) publish; MQTT 5 may give a reason code. */
  acknowledge(qos: QoS, id: number, reasonCode?: number): void {
    this.conn?.queue.control(encode({ type: qos === 1 ? 'puback' : 'pubrec', packetId: id, reasonCode }, this.version))
  }

  private onPubrel(id: number): boolean {
    const pubcomp = encode({ type: 'pubcomp', packetId: id }, this.version)
    const conn = this.conn
    const released = this.inbound.release(id)
    // PUBCOMP once `i.<id>` is gone; an unknown id is completed anyway so the server's state ends.
    if (!released) conn?.queue.control(pubcomp)
    else released.then(() => conn?.queue.control(pubcomp), () => conn?.queue.control(pubcomp))
    return true
  }

  /** QoS 1/2 publishes dropped by writeTimeoutMs: given up, so out of the store and rejected. */
  expire(ids: number[], error: Error): void {
    for (const id of ids) {
      const entry = this.outbound.get(id)
      if (!entry) continue
      this.forget(id)
      entry.reject(error)
    }
  }

  /**
   * The connection ended. Pending SUBSCRIBE/UNSUBSCRIBE reject. With `keep` (a reconnect follows, or a
   * persistent session waits for the next connect) QoS 1/2 publishes stay pending, in flight or waiting
   * for a slot; otherwise they reject with `error` (a clean session's are deleted from the store;
   * disconnect()/destroy() of a persistent one leave them there).
   */
  connectionEnded(error: Error, keep: boolean, clean: boolean): void {
    this.conn = undefined
    this.resendQueue = []
    this.resendHead = 0
    for (const [id, ack] of this.acks) {
      this.ids.release(id)
      ack.reject(error)
    }
    this.acks.clear()
    if (keep) return
    this.slots.rejectAll(error)
    this.deferred.clear()
    for (const [id, entry] of this.outbound) {
      this.outbound.delete(id)
      this.ids.release(id)
      if (clean) void this.stored(() => this.options.store.del(outKey(id))).catch(() => {})
      entry.reject(error)
    }
  }

  /** A clean session: forget everything, in memory and in the store. */
  async reset(): Promise<void> {
    const discarded = new MqttError('DISCARDED', 'the session was cleaned')
    for (const [id, entry] of this.outbound) {
      this.outbound.delete(id)
      this.ids.release(id)
      entry.reject(discarded)
    }
    this.inbound.clear()
    this.ids.clear()
    await this.stored(() => this.options.store.reset())
  }

  /**
   * A clean session started on the attached connection. Messages never sent, and QoS 1 ones, are sent
   * again as part of the new session (at least once holds). A QoS 2 message already sent cannot be sent
   * again without risking a duplicate: it fails with DISCARDED, unless PUBREC had arrived (the server
   * took it over), when it resolves. Everything else the store held is forgotten.
   */
  async cleanStart(): Promise<ResumedReceipt[]> {
    const discarded = new MqttError('DISCARDED', 'the session was cleaned: a QoS 2 message in flight was given up')
    for (const [id, entry] of this.outbound) {
      if (entry.qos !== 2 || !entry.sent) continue
      this.forget(id)
      if (entry.stage === 'pubrel') entry.resolve({ packetId: id, qos: 2, reasonCode: 0 })
      else entry.reject(discarded)
    }
    const store = this.options.store
    await this.stored(async () => {
      for (const key of await store.keys()) {
        if (!(key.startsWith('o.') && this.outbound.has(Number(key.slice(2))))) await store.del(key)
      }
    })
    return this.resume(false)
  }

  /**
   * Resume a persistent session on the attached connection: resend the store's messages in their
   * original order (PUBLISH with DUP set, PUBREL for those past PUBREC) and hold stored inbound ids.
   */
  async resume(sessionPresent: boolean): Promise<ResumedReceipt[]> {
    const store = this.options.store
    await this.storeQueue.settled()
    const receipts: ResumedReceipt[] = []
    if (!sessionPresent) this.inbound.clear()
    const stored = await readStoredSession(store, this.version, this.options.trace, sessionPresent)
    this.inbound.load(stored.inbound)
    let resent = 0
    for (const { id, bytes, packet } of stored.outbound) {
      // Offline-queued publishes leave with the offline queue, in its order.
      if (this.deferred.has(id)) continue
      const stage = packet.type === 'publish' ? 'publish' : 'pubrel'
      let entry = this.outbound.get(id)
      if (!entry) {
        let resolve!: (r: PublishResult) => void
        let reject!: (e: Error) => void
        const promise = new Promise<PublishResult>((res, rej) => { resolve = res; reject = rej })
        entry = {
          qos: packet.type === 'publish' ? packet.qos : 2,
          topic: packet.type === 'publish' ? packet.topic : undefined,
          stage, sent: true, promise, resolve, reject,
        }
        this.outbound.set(id, entry)
        this.ids.claim(id)
      }
      entry.stage = stage
      receipts.push({ packetId: id, topic: entry.topic, stage, done: entry.promise })
      if (stage === 'publish') {
        // [MQTT-3.3.1-1] DUP is set on a redelivery; flipping the bit keeps the stored bytes otherwise exact.
        let out = bytes
        if (entry.sent) {
          out = bytes.slice()
          out[0] = out[0]! | 0x08
        }
        entry.sent = true
        if (this.version === 5 && resent >= this.options.maxInflight) this.resendQueue.push({ id, bytes: out })
        else this.conn?.queue.publish(out, id)
        resent++
      } else {
        this.conn?.queue.control(bytes)
      }
    }
    this.options.trace.debug('state', `resumed ${receipts.length} in-flight message(s)`)
    return receipts
  }
}
