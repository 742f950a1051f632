// The client's errors: the codec's one MqttError base, and the mapping of CONNACK return codes to it.
import { MqttError } from '@isomqtt/codec'

export { MqttError, MalformedPacketError } from '@isomqtt/codec'
export type { MqttErrorCode, MqttErrorOptions } from '@isomqtt/codec'

/** The MQTT 3.1 / 3.1.1 CONNACK return codes and the error codes they become (as in the Paho seed). */
const CONNACK_CODES: Record<number, [code: string, message: string]> = {
  1: ['UNACCEPTABLE_PROTOCOL_VERSION', 'connection refused: unacceptable protocol version'],
  2: ['IDENTIFIER_REJECTED', 'connection refused: identifier rejected'],
  3: ['SERVER_UNAVAILABLE', 'connection refused: server unavailable'],
  4: ['BAD_CREDENTIALS', 'connection refused: bad user name or password'],
  5: ['NOT_AUTHORIZED', 'connection refused: not authorized'],
}

/** The typed error for a refused CONNACK; anything unknown becomes UNKNOWN with the code kept. */
export function connackError(returnCode: number): MqttError {
  const known = CONNACK_CODES[returnCode]
  if (known) return new MqttError(known[0], known[1], { reasonCode: returnCode })
  return new MqttError('UNKNOWN', `connection refused: unknown return code ${returnCode}`, { reasonCode: returnCode })
}

/** An error for work that cannot finish because the connection went away. */
export function connectionLost(cause?: unknown): MqttError {
  if (cause instanceof MqttError) return cause
  return new MqttError('CONNECTION_LOST', 'connection lost', { cause })
}
