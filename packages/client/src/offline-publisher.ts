// Publishes made while no connection is up, on their way to the wire: QoS 0 wait in memory, QoS 1/2 go to
// the session's store at once (so a crash cannot lose them) but are written only when the queue is flushed,
// in the order they were made, before anything newer.
import type { PublishPacket } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import { OfflineQueue, type ResolvedOfflineQueueOptions } from './offline-queue.js'
import { atMostOnce, lostPublish, type PublishResult } from './publish-result.js'
import type { Session } from './session.js'

interface Entry {
  size: number
  packet: PublishPacket
  /** QoS 0 only: the publish's promise callbacks (QoS 1/2 promises belong to the session). */
  resolve?: (r: PublishResult) => void
  reject?: (e: Error) => void
  drop(error: MqttError): void
}

/** The offline queue of one client. */
export class OfflinePublisher {
  private readonly queue: OfflineQueue<Entry>

  constructor(readonly options: ResolvedOfflineQueueOptions, private readonly session: Session) {
    this.queue = new OfflineQueue<Entry>(options)
  }

  /** Publishes waiting for a connection. */
  get length(): number {
    return this.queue.length
  }

  /** Called with the new length whenever it changes. */
  onDepth: ((depth: number) => void) | undefined

  private changed(before: number): void {
    if (this.queue.length !== before) this.onDepth?.(this.queue.length)
  }

  /** Queue a publish made while disconnected; settles like any publish once it has been sent. */
  publish(packet: PublishPacket): Promise<PublishResult> {
    if (packet.qos === 0 && this.options.qos0 === 'drop') {
      return lostPublish(0, new MqttError('NOT_CONNECTED', 'not connected, and offlineQueue.qos0 is drop: the QoS 0 message was not sent'))
    }
    const size = packet.payload.length + packet.topic.length
    const before = this.queue.length
    try {
      this.queue.makeRoom(size)
    } catch (err) {
      this.changed(before)
      return lostPublish(packet.qos, err)
    }
    if (packet.qos === 0) {
      const promise = new Promise<PublishResult>((resolve, reject) => {
        this.queue.push({ size, packet, resolve, reject, drop: reject })
      })
      this.changed(before)
      return atMostOnce(promise)
    }
    // The store must be open before the put the session chains behind this (errors surface through it).
    void this.session.openStore().catch(() => {})
    const promise = this.session.publish(packet, true)
    this.queue.push(this.storedEntry(packet))
    this.changed(before)
    return promise
  }

  private storedEntry(packet: PublishPacket): Entry {
    return {
      size: packet.payload.length + packet.topic.length,
      packet,
      drop: (error) => { if (packet.packetId !== undefined) this.session.discard(packet.packetId, error) },
    }
  }

  /**
   * QoS 1/2 publishes that were waiting for an in-flight slot when the link dropped, oldest first: they
   * were accepted before anything queued offline, so they go ahead of it. The session stores them now.
   */
  prepend(packets: readonly PublishPacket[]): void {
    if (packets.length === 0) return
    const before = this.queue.length
    this.queue.unshiftAll(packets.map((p) => this.storedEntry(p)))
    this.changed(before)
  }

  /** Send everything queued, oldest first (the session has resumed on a live connection). */
  flush(sendQos0: (packet: PublishPacket) => Promise<PublishResult>): void {
    const before = this.queue.length
    for (let e = this.queue.shift(); e; e = this.queue.shift()) {
      if (e.packet.qos === 0) sendQos0(e.packet).then(e.resolve, e.reject)
      else if (e.packet.packetId !== undefined) this.session.sendDeferred(e.packet.packetId)
      else {
        // Still waiting for a packet id (all 65535 in use): it and what follows wait, in order; the
        // session calls back (onLateDeferred) once it has one, and flush runs again.
        this.queue.unshiftAll([e])
        break
      }
    }
    this.changed(before)
  }

  /** The client ended: QoS 0 entries reject with `error`; QoS 1/2 ones are settled by the session. */
  end(error: Error): void {
    const before = this.queue.length
    for (let e = this.queue.shift(); e; e = this.queue.shift()) e.reject?.(error)
    this.changed(before)
  }
}
