// Where a publish or a request goes, by connection state: before the first connect and while reconnecting
// into the offline queue; while the session resumes, behind it; QoS 0 straight to the write queue (no store,
// no packet id, no per-message promise); QoS 1/2 into the session.
import type { Packet, ProtocolVersion, PublishPacket } from '@isomqtt/codec'
import type { Connection } from './connection.js'
import type { ConnectionWait } from './connection-wait.js'
import { MqttError, notConnected } from './errors.js'
import type { Mqtt5Session } from './mqtt5-session.js'
import { OfflinePublisher } from './offline-publisher.js'
import type { ResolvedOptions } from './options.js'
import { atMostOnce, lostPublish, type PublishResult } from './publish-result.js'
import type { ResumeGate } from './resume-gate.js'
import type { Session } from './session.js'
import type { ConnectionState } from './state-machine.js'
import type { Subscription } from './subscription.js'

/** What the outbound flow reads from the runtime. */
export interface OutboundHost {
  readonly state: ConnectionState
  readonly connection: Connection | undefined
  readonly version: ProtocolVersion
  /** MQTT 5 state (undefined until the first MQTT 5 connect). */
  readonly v5: Mqtt5Session<Subscription> | undefined
  readonly session: Session
  readonly gate: ResumeGate
  /** Requests made while (re)connecting wait here. */
  readonly connectionWait: ConnectionWait
}

/** Publishes and SUBSCRIBE/UNSUBSCRIBE requests of one client. */
export class OutboundFlow {
  private readonly offline: OfflinePublisher

  constructor(private readonly rt: OutboundHost, private readonly options: ResolvedOptions) {
    this.offline = new OfflinePublisher(options.offlineQueue, rt.session)
  }

  /** Publishes waiting in the offline queue. */
  get offlineLength(): number {
    return this.offline.length
  }

  /** Called with the offline queue's new depth on every change. */
  set onOfflineDepth(fn: ((depth: number) => void) | undefined) {
    this.offline.onDepth = fn
  }

  /** Publish by state; settles at the protocol's completion. */
  publish(packet: PublishPacket): Promise<PublishResult> {
    const rt = this.rt
    const conn = rt.connection
    if (rt.state !== 'connected' || !conn) {
      // Before the first connect and while (re)connecting, publishes wait in the offline queue.
      if (rt.state === 'idle' || rt.state === 'connecting' || rt.state === 'reconnecting') return this.offline.publish(packet)
      return lostPublish(packet.qos, notConnected())
    }
    if (!rt.gate.resumed) {
      const later = rt.gate.resuming!.then(() => this.publish(packet))
      return packet.qos === 0 ? atMostOnce(later) : later
    }
    const link = rt.v5?.link
    if (link) {
      try { link.check(packet) } catch (err) { return Promise.reject(err) }
    }
    if (packet.qos === 0) {
      if (rt.session.queued >= this.options.maxQueued) {
        return lostPublish(0, new MqttError('QUEUE_FULL', `more than ${this.options.maxQueued} publishes waiting to be written`))
      }
      return this.sendQos0(conn, packet)
    }
    return rt.session.publish(packet)
  }

  /**
   * SUBSCRIBE / UNSUBSCRIBE: only on a connection whose session has resumed. Made while (re)connecting with
   * reconnect on, they wait up to reconnect.waitForConnectionMs for it (after the resubscribe of a lost session).
   */
  request<T>(build: (id: number) => Packet, kind: 'suback' | 'unsuback', onAck: (p: Packet) => T): Promise<T> {
    const rt = this.rt
    if (rt.state !== 'connected') {
      const waitMs = this.options.reconnect?.waitForConnectionMs ?? 0
      if ((rt.state === 'reconnecting' || rt.state === 'connecting') && waitMs > 0) {
        return rt.connectionWait.wait(waitMs).then(() => this.request(build, kind, onAck))
      }
      return Promise.reject(notConnected())
    }
    if (!rt.gate.resumed) return rt.gate.resuming!.then(() => this.request(build, kind, onAck))
    return rt.session.request(build, kind, onAck)
  }

  /** The session resumed on a live connection: send what the offline queue holds, oldest first. */
  flushOffline(): void {
    this.offline.flush((p) => {
      const conn = this.rt.connection
      return conn ? this.sendQos0(conn, p) : Promise.reject(notConnected())
    })
  }

  /** Publishes accepted before the link dropped (slot waiters): ahead of everything queued offline. */
  prependOffline(packets: readonly PublishPacket[]): void {
    this.offline.prepend(packets)
  }

  /** Fail what the offline queue holds (QoS 1/2 ones are settled by the session). */
  endOffline(error: Error): void {
    this.offline.end(error)
  }

  /** A QoS 0 publish onto the wire: with this connection's topic alias under MQTT 5. */
  private sendQos0(conn: Connection, p: PublishPacket): Promise<PublishResult> {
    const link = this.rt.v5?.link
    return link ? conn.queue.publishQos0(link.wire(p, undefined)) : conn.queue.publishQos0Packet(p, this.rt.version)
  }
}
