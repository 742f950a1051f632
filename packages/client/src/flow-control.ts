// MQTT 5 flow control (§4.9) in both directions. Outbound, the session never has more QoS 1/2 publishes
// unacknowledged than the server's Receive Maximum (the rest wait for a slot, in order). Inbound, the
// server may not have more than ours: this quota counts them and says when it was exceeded.
import { MqttError } from './errors.js'

/** The Receive Maximum the client advertises when the user sets none (Mosquitto ignores it anyway). */
export const DEFAULT_RECEIVE_MAXIMUM = 65535

/** How many QoS 1/2 publishes may be unacknowledged at once: the user's cap within the server's limit. */
export function sendLimit(userMaxInflight: number, serverReceiveMaximum: number): number {
  return Math.max(1, Math.min(userMaxInflight, serverReceiveMaximum))
}

/**
 * Inbound QoS 1/2 publishes of one connection that we have not finished acknowledging: QoS 1 until
 * PUBACK is sent, QoS 2 until PUBCOMP is sent (or a PUBREC with a failure reason) [MQTT-3.3.4-9].
 */
export class InboundQuota {
  private readonly held = new Set<number>()

  /** `maximum` is the Receive Maximum we advertised in CONNECT. */
  constructor(readonly maximum: number) {}

  /** Publishes counted against the quota now. */
  get size(): number {
    return this.held.size
  }

  /**
   * Count a received QoS 1/2 PUBLISH. Throws RECEIVE_MAXIMUM_EXCEEDED (reason 0x93, for DISCONNECT) when
   * the server sent more than `maximum` unacknowledged [MQTT-3.3.4-9]. A redelivery of an id already held
   * is not counted twice.
   */
  received(packetId: number): void {
    if (this.held.has(packetId)) return
    if (this.held.size >= this.maximum) {
      throw new MqttError('RECEIVE_MAXIMUM_EXCEEDED', `the server sent more than ${this.maximum} unacknowledged QoS 1/2 publishes`, { reasonCode: 0x93 })
    }
    this.held.add(packetId)
  }

  /** The acknowledgement that ends the exchange for `packetId` was sent. */
  released(packetId: number): void {
    this.held.delete(packetId)
  }
}
