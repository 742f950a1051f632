// Typed errors shared by every isomqtt package that speaks MQTT: a stable string `code` a program can
// switch on, the MQTT 5 `reasonCode` where the specification defines one, and the original `cause`.

import type { Packet } from './packets.js'

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export type MqttErrorCode =
  | 'MALFORMED_PACKET' | 'PROTOCOL_ERROR' | 'PACKET_TOO_LARGE' | 'INVALID_TOPIC' | 'INVALID_QOS'
  | 'INVALID_ARGUMENT' | 'BAD_CREDENTIALS' | 'IDENTIFIER_REJECTED' | 'UNACCEPTABLE_PROTOCOL_VERSION'
  | 'SERVER_UNAVAILABLE' | 'NOT_AUTHORIZED' | 'NOT_CONNECTED' | 'TIMEOUT' | 'CONNECTION_LOST'
  | 'SUBSCRIBE_FAILED' | 'UNSUBSCRIBE_FAILED' | 'PUBLISH_FAILED' | 'QUEUE_FULL' | 'DISCARDED'
  | 'SERVER_DISCONNECT' | 'STORE_ERROR' | 'TRANSPORT_ERROR' | 'CLOSED' | 'ABORTED' | 'UNKNOWN'
  | (string & {})

/** Options of an MqttError beyond its code and message. */
export interface MqttErrorOptions {
  reasonCode?: number
  cause?: unknown
}

/** The base of every isomqtt error: `code` is stable, `reasonCode` is MQTT 5's where there is one. */
export class MqttError extends Error {
  readonly code: MqttErrorCode
  readonly reasonCode?: number

  constructor(code: MqttErrorCode, message: string, options: MqttErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'MqttError'
    this.code = code
    if (options.reasonCode !== undefined) this.reasonCode = options.reasonCode
  }
}

/**
 * Bytes that do not form a valid packet: the connection that delivered them must be closed.
 * `packets` holds the complete packets that preceded the bad one in the same `Parser.push`, so nothing
 * already received is lost.
 */
export class MalformedPacketError extends MqttError {
  /** Packets decoded from the same chunk before the malformed one (set by Parser.push). */
  packets?: Packet[]

  constructor(
    message: string,
    code: MqttErrorCode = 'MALFORMED_PACKET',
    reasonCode = code === 'PROTOCOL_ERROR' ? 0x82 : code === 'PACKET_TOO_LARGE' ? 0x95 : 0x81,
    cause?: unknown,
  ) {
    super(code, message, { reasonCode, cause })
    this.name = 'MalformedPacketError'
  }
}
