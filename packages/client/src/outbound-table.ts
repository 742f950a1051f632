// The outbound half of the session's state: every QoS 1/2 publish from admission to PUBACK / PUBCOMP, keyed
// by packet id. Admission, acknowledgements and store replay all work on this one table, so forgetting a
// message (map, store, id, in-flight slot) happens in exactly one place.
import type { ProtocolVersion, PublishPacket, QoS } from '@isomqtt/codec'
import { IdMap, type Store } from '@isomqtt/store'
import type { Connection } from './connection.js'
import { MqttError } from './errors.js'
import { InflightSlots } from './inflight-slots.js'
import { RefusalProbe } from './refusal-probe.js'
import { monotonicNow } from './timers.js'
import type { PacketIds } from './packet-ids.js'
import type { PublishResult } from './publish-result.js'
import type { StoreQueue } from './store-queue.js'
import type { Tracer } from './trace.js'

/** One outbound QoS 1/2 message. */
export interface Outbound {
  readonly qos: QoS
  readonly topic: string | undefined
  stage: 'publish' | 'pubrel'
  /** Handed to a connection at least once (a resend sets DUP; a clean session cannot resend it at QoS 2). */
  sent: boolean
  /** MQTT 5: the PUBREC reason (e.g. 0x10), reported when PUBCOMP completes the publish. */
  recReason: number | undefined
  promise: Promise<PublishResult>
  resolve: (r: PublishResult | PromiseLike<PublishResult>) => void
  reject(e: Error): void
}

/**
 * An entry keeps only its promise's resolve function, and rejects by resolving with a rejected promise
 * (which the promise adopts): the reject function is then garbage at once instead of held, ~60 B of each
 * in-flight message, for a path taken only when a publish fails. QoS, stage, `sent` and the PUBREC reason
 * share one number, which takes the entry from 80 to 56 B.
 */
class OutboundEntry implements Outbound {
  /** Bits 0-1 QoS, bit 2 the pubrel stage, bit 3 sent, bits 4+ the PUBREC reason + 1 (0: none). */
  private bits: number
  constructor(
    qos: QoS,
    readonly topic: string | undefined,
    stage: Outbound['stage'],
    sent: boolean,
    readonly promise: Promise<PublishResult>,
    readonly resolve: (r: PublishResult | PromiseLike<PublishResult>) => void,
  ) {
    this.bits = qos | (stage === 'pubrel' ? STAGE_PUBREL : 0) | (sent ? SENT : 0)
  }

  get qos(): QoS {
    return (this.bits & 3) as QoS
  }

  get stage(): Outbound['stage'] {
    return this.bits & STAGE_PUBREL ? 'pubrel' : 'publish'
  }

  set stage(stage: Outbound['stage']) {
    this.bits = stage === 'pubrel' ? this.bits | STAGE_PUBREL : this.bits & ~STAGE_PUBREL
  }

  get sent(): boolean {
    return (this.bits & SENT) !== 0
  }

  set sent(sent: boolean) {
    this.bits = sent ? this.bits | SENT : this.bits & ~SENT
  }

  get recReason(): number | undefined {
    const r = this.bits >> 4
    return r === 0 ? undefined : r - 1
  }

  set recReason(reason: number | undefined) {
    this.bits = (this.bits & 15) | (reason === undefined ? 0 : (reason + 1) << 4)
  }

  reject(e: Error): void {
    this.resolve(Promise.reject(e))
  }
}

const STAGE_PUBREL = 4
const SENT = 8

// One executor shared by every entry (it runs synchronously inside `new Promise`), so creating an entry
// allocates no closure of its own: one per in-flight message adds up at 50k in flight.
let lastResolve: (r: PublishResult | PromiseLike<PublishResult>) => void = () => {}
const capture = (res: (r: PublishResult | PromiseLike<PublishResult>) => void): void => { lastResolve = res }

/** A new entry with its own promise. */
export function newOutbound(qos: QoS, topic: string | undefined, stage: Outbound['stage'], sent: boolean): Outbound {
  const promise = new Promise<PublishResult>(capture)
  return new OutboundEntry(qos, topic, stage, sent, promise, lastResolve)
}

/** PINGREQ: sent before each PUBLISH while probing. */
const PINGREQ = /* @__PURE__ */ new Uint8Array([0xc0, 0])

/** What the table shares with the rest of the session. */
export interface OutboundContext {
  store: Store
  storeQueue: StoreQueue
  ids: PacketIds
  trace: Tracer
  /** maxInflight may change per connection (MQTT 5 Receive Maximum) and while probing (see refusal-probe.ts). */
  limits: { maxInflight: number; maxQueued: number }
  /** A connection lost sooner than this after it started counts as a quick loss (refusal-probe.ts); 0: no probe. */
  quickLossMs: number
  /** Something finished: the session checks whether it is idle now. */
  checkIdle(): void
}

/** In-flight QoS 1/2 publishes and the connection they are written to. */
export class OutboundTable {
  /** By packet id, in admission order (an IdMap: no hashing or rehashing per message). */
  readonly entries = new IdMap<Outbound>()
  /** Offline-queued QoS 1/2 publishes: stored, not yet sent; the offline queue sends them in its order. */
  readonly deferred = new Map<number, Uint8Array>()
  readonly slots = new InflightSlots()
  /** Publishes accepted but not yet handed to a connection. */
  waiting = 0
  conn: Connection | undefined
  version: ProtocolVersion = 4
  /** An offline publish got its packet id only after waiting for one (every id was in use). */
  lateDeferred: (() => void) | undefined
  /** MQTT 5: the bytes to write for a stored publish (with a topic alias); the store keeps `bytes`. */
  wire: ((packet: PublishPacket, bytes: Uint8Array) => Uint8Array) | undefined
  /**
   * MQTT 5 flow control on resume [MQTT-4.9.0-2]: stored PUBLISHes beyond the server's Receive Maximum wait
   * here and leave one per freed slot, before any new publish.
   */
  private resendQueue: Array<{ id: number; bytes: Uint8Array }> = []
  private resendHead = 0

  /** Finds a message the server refuses by closing the connection (reconnect.giveUpRefused; none without it). */
  readonly probe: RefusalProbe | undefined
  /** The in-flight limit outside probing: maxInflight, or the server's Receive Maximum. */
  private baseInflight: number
  /** When the attached connection started, and when it last answered a PINGREQ (monotonic ms). */
  connectedAt = 0
  pingAnsweredAt = 0
  /** The last PUBLISH written while probing, and when (monotonic ms). */
  private probeId = 0
  private probeWrittenAt = 0

  constructor(readonly ctx: OutboundContext) {
    this.probe = ctx.quickLossMs > 0 ? new RefusalProbe(ctx.quickLossMs) : undefined
    this.baseInflight = ctx.limits.maxInflight
  }

  /**
   * Hand a QoS 1/2 PUBLISH to the connection. While probing, a PINGREQ goes right before it, so a loss tells
   * whether the server read up to the message (see refusal-probe.ts); a connection that held ends the probe.
   */
  send(conn: Connection, bytes: Uint8Array, id: number): void {
    if (this.probe?.probing) {
      const now = monotonicNow()
      if (now - this.connectedAt >= this.ctx.quickLossMs) {
        this.probe.reset()
        this.applyLimit()
      } else {
        conn.queue.control(PINGREQ)
        this.probeId = id
        this.probeWrittenAt = now
      }
    }
    conn.queue.publish(bytes, id)
  }

  /**
   * While probing: the PUBLISH in flight (written last, unacknowledged) when the server had answered the PINGREQ
   * sent right before it; the connection then ended without its acknowledgement (see send()).
   */
  probeSuspect(): number | undefined {
    if (!this.probe?.probing || this.probeWrittenAt === 0 || this.pingAnsweredAt <= this.probeWrittenAt) return undefined
    const entry = this.entries.get(this.probeId)
    return entry && entry.stage === 'publish' ? this.probeId : undefined
  }

  /** A new connection is attached: what the probe saw on the last one does not count for it. */
  attached(conn: Connection): void {
    this.conn = conn
    this.version = conn.version
    this.connectedAt = monotonicNow()
    this.probeWrittenAt = 0
  }

  /** Set the in-flight limit (probing holds it at 1 meanwhile); publishes waiting for a slot get the new room. */
  setInflightLimit(limit: number): void {
    this.baseInflight = limit
    this.applyLimit()
  }

  /** The limit for the probe's state: one in flight while probing. */
  applyLimit(): void {
    const limit = this.probe?.probing ? 1 : this.baseInflight
    this.ctx.limits.maxInflight = limit
    for (let free = limit - this.entries.size; free > 0 && this.slots.waiting; free--) this.slots.wake()
  }

  /** The connection was lost (not closed by the user): tell the probe, and give up a message it found refused. */
  connectionLost(): void {
    const probe = this.probe
    if (!probe) return
    const probing = probe.probing
    const id = probe.lost(monotonicNow() - this.connectedAt, this.hasSentPublishes(), this.probeSuspect())
    // Only a change of state moves the limit (the next connection's resume reads it).
    if (probe.probing !== probing) this.applyLimit()
    const entry = id === undefined ? undefined : this.entries.get(id)
    if (!entry) return
    this.forget(id!)
    const error = new MqttError('PUBLISH_FAILED', 'the server closed the connection each time this message was sent (too large? not allowed?): given up')
    this.ctx.trace.critical('msgids', `publish id=${id} given up`, error)
    entry.reject(error)
  }

  /** A PUBLISH has been written and not acknowledged (the rest of the session's entries may be so too). */
  hasSentPublishes(): boolean {
    for (const [id, entry] of this.entries) if (entry.stage === 'publish' && entry.sent && !this.deferred.has(id)) return true
    return false
  }

  /** Drop an outbound message: map, store, id, and wake a publish waiting for a slot. */
  forget(id: number): void {
    this.entries.delete(id)
    if (this.deferred.size > 0) this.deferred.delete(id)
    this.ctx.ids.release(id)
    this.ctx.storeQueue.delOut(id)
    // Nothing unacknowledged any more: a probe is over (and the limit back), whatever it was looking for.
    if (this.entries.size === 0 && this.probe?.engaged) {
      this.probe.reset()
      this.applyLimit()
    }
    if (!this.resendNext()) this.wakeSlot()
    this.ctx.checkIdle()
  }

  /** Hold a stored PUBLISH until a slot frees (MQTT 5 resume beyond Receive Maximum). */
  queueResend(id: number, bytes: Uint8Array): void {
    this.resendQueue.push({ id, bytes })
  }

  /** Stored publishes waiting in the resend queue for a slot. */
  get pendingResends(): number {
    return this.resendQueue.length - this.resendHead
  }

  /** Forget the held resends (the connection they were for ended). */
  clearResends(): void {
    this.resendQueue = []
    this.resendHead = 0
  }

  private resendNext(): boolean {
    while (this.resendHead < this.resendQueue.length) {
      const next = this.resendQueue[this.resendHead++]!
      if (this.resendHead === this.resendQueue.length) this.clearResends()
      const entry = this.entries.get(next.id)
      if (!entry || !this.conn?.open) continue
      entry.sent = true
      this.send(this.conn, next.bytes, next.id)
      return true
    }
    return false
  }

  /** Give a freed in-flight slot to the oldest publish waiting for one. */
  wakeSlot(): void {
    if (this.entries.size < this.ctx.limits.maxInflight) this.slots.wake()
  }
}
