// MQTT 5 reason codes as users see them: a stable string error code and a readable text per reason code,
// and the typed error an acknowledgement, CONNACK or DISCONNECT with a failure reason becomes.
import type { AckProperties, QoS } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import type { PublishResult } from './publish-result.js'

/** [stable error code, text] per MQTT 5 reason code (MQTT 5 §2.4 Table 2-6). */
const REASONS: Record<number, [code: string, text: string]> = {
  0x00: ['SUCCESS', 'success'],
  0x01: ['GRANTED_QOS_1', 'granted QoS 1'],
  0x02: ['GRANTED_QOS_2', 'granted QoS 2'],
  0x04: ['DISCONNECT_WITH_WILL', 'disconnect with will message'],
  0x10: ['NO_MATCHING_SUBSCRIBERS', 'no matching subscribers'],
  0x11: ['NO_SUBSCRIPTION_EXISTED', 'no subscription existed'],
  0x18: ['CONTINUE_AUTHENTICATION', 'continue authentication'],
  0x19: ['REAUTHENTICATE', 're-authenticate'],
  0x80: ['UNSPECIFIED_ERROR', 'unspecified error'],
  0x81: ['MALFORMED_PACKET', 'malformed packet'],
  0x82: ['PROTOCOL_ERROR', 'protocol error'],
  0x83: ['IMPLEMENTATION_SPECIFIC_ERROR', 'implementation specific error'],
  0x84: ['UNACCEPTABLE_PROTOCOL_VERSION', 'unsupported protocol version'],
  0x85: ['IDENTIFIER_REJECTED', 'client identifier not valid'],
  0x86: ['BAD_CREDENTIALS', 'bad user name or password'],
  0x87: ['NOT_AUTHORIZED', 'not authorized'],
  0x88: ['SERVER_UNAVAILABLE', 'server unavailable'],
  0x89: ['SERVER_BUSY', 'server busy'],
  0x8a: ['BANNED', 'banned'],
  0x8b: ['SERVER_SHUTTING_DOWN', 'server shutting down'],
  0x8c: ['BAD_AUTHENTICATION_METHOD', 'bad authentication method'],
  0x8d: ['KEEPALIVE_TIMEOUT', 'keep alive timeout'],
  0x8e: ['SESSION_TAKEN_OVER', 'session taken over'],
  0x8f: ['TOPIC_FILTER_INVALID', 'topic filter invalid'],
  0x90: ['TOPIC_NAME_INVALID', 'topic name invalid'],
  0x91: ['PACKET_ID_IN_USE', 'packet identifier in use'],
  0x92: ['PACKET_ID_NOT_FOUND', 'packet identifier not found'],
  0x93: ['RECEIVE_MAXIMUM_EXCEEDED', 'receive maximum exceeded'],
  0x94: ['TOPIC_ALIAS_INVALID', 'topic alias invalid'],
  0x95: ['PACKET_TOO_LARGE', 'packet too large'],
  0x96: ['MESSAGE_RATE_TOO_HIGH', 'message rate too high'],
  0x97: ['QUOTA_EXCEEDED', 'quota exceeded'],
  0x98: ['ADMINISTRATIVE_ACTION', 'administrative action'],
  0x99: ['PAYLOAD_FORMAT_INVALID', 'payload format invalid'],
  0x9a: ['RETAIN_NOT_SUPPORTED', 'retain not supported'],
  0x9b: ['QOS_NOT_SUPPORTED', 'QoS not supported'],
  0x9c: ['USE_ANOTHER_SERVER', 'use another server'],
  0x9d: ['SERVER_MOVED', 'server moved'],
  0x9e: ['SHARED_SUBSCRIPTIONS_NOT_SUPPORTED', 'shared subscriptions not supported'],
  0x9f: ['CONNECTION_RATE_EXCEEDED', 'connection rate exceeded'],
  0xa0: ['MAXIMUM_CONNECT_TIME', 'maximum connect time'],
  0xa1: ['SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED', 'subscription identifiers not supported'],
  0xa2: ['WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED', 'wildcard subscriptions not supported'],
}

/** True for a reason code that reports a failure (0x80 and above) [MQTT 5 §2.4]. */
export function isFailure(reasonCode: number | undefined): boolean {
  return (reasonCode ?? 0) >= 0x80
}

/** The readable text of a reason code, e.g. 0x97 -> 'quota exceeded'. */
export function reasonText(reasonCode: number): string {
  return REASONS[reasonCode]?.[1] ?? `reason code 0x${reasonCode.toString(16).padStart(2, '0')}`
}

/** The stable error code of a reason code, e.g. 0x87 -> 'NOT_AUTHORIZED'; unknown ones are 'UNKNOWN'. */
export function reasonErrorCode(reasonCode: number): string {
  return REASONS[reasonCode]?.[0] ?? 'UNKNOWN'
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
  const text = reasonText(reasonCode)
  const hex = `0x${reasonCode.toString(16).padStart(2, '0')}`
  const extra = details.reasonString ? `: ${details.reasonString}` : ''
  return new MqttError(details.code ?? reasonErrorCode(reasonCode), `${what}: ${text} (${hex})${extra}`, { reasonCode })
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
