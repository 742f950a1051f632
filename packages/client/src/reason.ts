// MQTT 5 reason codes as users see them: a stable string error code and a readable text per reason code,
// and the typed error an acknowledgement, CONNACK or DISCONNECT with a failure reason becomes.
import type { AckProperties, QoS } from '@isomqtt/codec'
import { codeText, MqttError } from './errors.js'
import type { PublishResult } from './publish-result.js'

/** The stable error code per MQTT 5 reason code (MQTT 5 §2.4 Table 2-6); its text is made from it. */
const CODES: Record<number, string> = {
  0x00: 'SUCCESS',
  0x01: 'GRANTED_QOS_1',
  0x02: 'GRANTED_QOS_2',
  0x04: 'DISCONNECT_WITH_WILL',
  0x10: 'NO_MATCHING_SUBSCRIBERS',
  0x11: 'NO_SUBSCRIPTION_EXISTED',
  0x18: 'CONTINUE_AUTHENTICATION',
  0x19: 'REAUTHENTICATE',
  0x80: 'UNSPECIFIED_ERROR',
  0x81: 'MALFORMED_PACKET',
  0x82: 'PROTOCOL_ERROR',
  0x83: 'IMPLEMENTATION_SPECIFIC_ERROR',
  0x84: 'UNACCEPTABLE_PROTOCOL_VERSION',
  0x85: 'IDENTIFIER_REJECTED',
  0x86: 'BAD_CREDENTIALS',
  0x87: 'NOT_AUTHORIZED',
  0x88: 'SERVER_UNAVAILABLE',
  0x89: 'SERVER_BUSY',
  0x8a: 'BANNED',
  0x8b: 'SERVER_SHUTTING_DOWN',
  0x8c: 'BAD_AUTHENTICATION_METHOD',
  0x8d: 'KEEPALIVE_TIMEOUT',
  0x8e: 'SESSION_TAKEN_OVER',
  0x8f: 'TOPIC_FILTER_INVALID',
  0x90: 'TOPIC_NAME_INVALID',
  0x91: 'PACKET_ID_IN_USE',
  0x92: 'PACKET_ID_NOT_FOUND',
  0x93: 'RECEIVE_MAXIMUM_EXCEEDED',
  0x94: 'TOPIC_ALIAS_INVALID',
  0x95: 'PACKET_TOO_LARGE',
  0x96: 'MESSAGE_RATE_TOO_HIGH',
  0x97: 'QUOTA_EXCEEDED',
  0x98: 'ADMINISTRATIVE_ACTION',
  0x99: 'PAYLOAD_FORMAT_INVALID',
  0x9a: 'RETAIN_NOT_SUPPORTED',
  0x9b: 'QOS_NOT_SUPPORTED',
  0x9c: 'USE_ANOTHER_SERVER',
  0x9d: 'SERVER_MOVED',
  0x9e: 'SHARED_SUBSCRIPTIONS_NOT_SUPPORTED',
  0x9f: 'CONNECTION_RATE_EXCEEDED',
  0xa0: 'MAXIMUM_CONNECT_TIME',
  0xa1: 'SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED',
  0xa2: 'WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED',
}

/** True for a reason code that reports a failure (0x80 and above) [MQTT 5 §2.4]. */
export function isFailure(reasonCode: number | undefined): boolean {
  return (reasonCode ?? 0) >= 0x80
}

/** The readable text of a reason code, e.g. 0x97 -> 'quota exceeded', 0x9b -> 'QoS not supported'. */
export function reasonText(reasonCode: number): string {
  const code = CODES[reasonCode]
  return code ? codeText(code) : `reason code ${hex(reasonCode)}`
}

/** The stable error code of a reason code, e.g. 0x87 -> 'NOT_AUTHORIZED'; unknown ones are 'UNKNOWN'. */
export function reasonErrorCode(reasonCode: number): string {
  return CODES[reasonCode] ?? 'UNKNOWN'
}

function hex(reasonCode: number): string {
  return `0x${reasonCode.toString(16).padStart(2, '0')}`
}

/** Extra fields of an error made from a reason code. */
export interface ReasonErrorDetails {
  /** The server's Reason String, shown after the text. */
  reasonString?: string
  /** Overrides the code derived from the reason code. */
  code?: string
}

/**
 * The error for a failure reason code: `what` says where it came from ("publish refused", "server
 * disconnected"); the code is the reason code's own unless `details.code` overrides it.
 */
export function reasonError(what: string, reasonCode: number, details: ReasonErrorDetails = {}): MqttError {
  const extra = details.reasonString ? `: ${details.reasonString}` : ''
  return new MqttError(details.code ?? reasonErrorCode(reasonCode), `${what}: ${reasonText(reasonCode)} (${hex(reasonCode)})${extra}`, { reasonCode })
}

/** The error for an MQTT 5 CONNACK that refused the connection. */
export function connackReasonError(reasonCode: number, reasonString?: string): MqttError {
  return reasonError('connection refused', reasonCode, { reasonString })
}

/** What a PUBACK / PUBREC / PUBCOMP means for a publish: its result, or the error for a failure reason. */
export function ackOutcome(packetId: number, qos: QoS, reasonCode: number, props: AckProperties | undefined): PublishResult | MqttError {
  if (reasonCode >= 0x80) return reasonError('publish refused', reasonCode, { reasonString: props?.reasonString })
  const result: PublishResult = { packetId, qos, reasonCode }
  if (props?.reasonString !== undefined) result.reasonString = props.reasonString
  if (props?.userProperties !== undefined) result.userProperties = props.userProperties
  return result
}
