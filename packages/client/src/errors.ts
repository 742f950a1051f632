// The client's errors: the codec's one MqttError base, and the mapping of CONNACK return codes to it.
import { MqttError } from '@isomqtt/codec'

export { MqttError, MalformedPacketError } from '@isomqtt/codec'
export type { MqttErrorCode, MqttErrorOptions } from '@isomqtt/codec'

/** The error codes of the MQTT 3.1 / 3.1.1 CONNACK return codes 1..5 (as in the Paho seed). */
const CONNACK_CODES = ['', 'UNACCEPTABLE_PROTOCOL_VERSION', 'IDENTIFIER_REJECTED', 'SERVER_UNAVAILABLE', 'BAD_CREDENTIALS', 'NOT_AUTHORIZED']

/** The readable text of an error code made of words, e.g. 'QOS_NOT_SUPPORTED' -> 'QoS not supported'. */
export function codeText(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ').replace('qos', 'QoS')
}

/** The typed error for a refused CONNACK; anything unknown becomes UNKNOWN with the code kept. */
export function connackError(returnCode: number): MqttError {
  const code = CONNACK_CODES[returnCode]
  if (code) return new MqttError(code, `connection refused: ${codeText(code)}`, { reasonCode: returnCode })
  return new MqttError('UNKNOWN', `connection refused: unknown return code ${returnCode}`, { reasonCode: returnCode })
}

/** An error for work that cannot finish because the connection went away. */
export function connectionLost(cause?: unknown): MqttError {
  if (cause instanceof MqttError) return cause
  return new MqttError('CONNECTION_LOST', 'connection lost', { cause })
}

/** What a caught value says: an Error's message, anything else as a string. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** NOT_CONNECTED: the call needs a live connection and there is none. */
export function notConnected(): MqttError {
  return new MqttError('NOT_CONNECTED', 'not connected')
}

/** CLOSED: the user closed the client. */
export function clientClosed(): MqttError {
  return new MqttError('CLOSED', 'the client was closed')
}
