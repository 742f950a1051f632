// What a publish resolves with.
import type { QoS, UserProperty } from '@isomqtt/codec'

/** The outcome of a completed publish. */
export interface PublishResult {
  /** The packet id it travelled with (QoS 1 and 2). */
  packetId: number | undefined
  qos: QoS
  /** MQTT 5: the reason code of PUBACK / PUBREC; 0 otherwise. */
  reasonCode: number
  /** MQTT 5: the server's Reason String, when it sent one. */
  reasonString?: string
  /** MQTT 5: the acknowledgement's User Properties, in order. */
  userProperties?: UserProperty[]
}

/** Every QoS 0 publish resolves with this one frozen object (no allocation per message). */
export const QOS0_RESULT: PublishResult = Object.freeze({ packetId: undefined, qos: 0, reasonCode: 0 })

const ignore = (): void => {}

/**
 * A QoS 0 publish's promise, safe to leave unawaited: its rejection means the message was lost (the client
 * closed, the queue was full), which QoS 0 allows, so a fire-and-forget publish never turns into an unhandled
 * rejection, which ends a Node process. Awaiting it still gets the error.
 */
export function atMostOnce(promise: Promise<PublishResult>): Promise<PublishResult> {
  promise.catch(ignore)
  return promise
}

/** A publish of `qos` given up at once: rejected with `error`, and safe to leave unawaited at QoS 0. */
export function lostPublish(qos: number, error: unknown): Promise<PublishResult> {
  const rejected = Promise.reject(error)
  return qos === 0 ? atMostOnce(rejected) : rejected
}

/** A message carried over from a persistent session, and its completion. */
export interface ResumedReceipt {
  packetId: number
  /** The topic, or undefined when only its PUBREL stage was stored (the PUBLISH was already received). */
  topic: string | undefined
  /** 'publish' when the PUBLISH is resent (DUP set), 'pubrel' when the PUBREL is. */
  stage: 'publish' | 'pubrel'
  /** Settles at PUBACK / PUBCOMP. */
  done: Promise<PublishResult>
}
