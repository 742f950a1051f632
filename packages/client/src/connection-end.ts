// When a connection ends, which pending work waits for the next one and which fails with the error; and the
// same for a client the user closes while it is not connected. Kept apart from the runtime because it is
// the policy the README's "Publish promises" paragraph promises, not lifecycle plumbing.
import { MqttError } from './errors.js'
import type { Mqtt5Session } from './mqtt5-session.js'
import type { OutboundFlow } from './outbound-flow.js'
import type { ResumeGate } from './resume-gate.js'
import type { Session } from './session.js'
import type { ConnectionState } from './state-machine.js'
import type { StoreLifecycle } from './store-lifecycle.js'
import type { Subscription } from './subscription.js'
import type { Tracer } from './trace.js'

/** The parts of a client that hold work pending on a connection. */
export interface PendingParts {
  readonly session: Session
  readonly outbound: OutboundFlow
  readonly gate: ResumeGate
  /** The MQTT 5 state, once an MQTT 5 connect loaded it. */
  readonly v5: () => Mqtt5Session<Subscription> | undefined
  readonly storeLife: StoreLifecycle
  readonly trace: Tracer
  /** End every subscription (the user closed the client). */
  endSubscriptions(): void
}

/** The connection ended with `error`; `state` is the lifecycle state entered, `previous` the one left. */
export function endPending(parts: PendingParts, error: Error, state: ConnectionState, previous: ConnectionState, clean: boolean): void {
  const byUser = (error as MqttError).code === 'CLOSED'
  parts.gate.close()
  parts.v5()?.ended(error)
  // Reconnecting keeps everything; a persistent session also waits for the next connect(), unless
  // the reconnect loop just gave up (then what waited fails with the reason).
  const keep = state === 'reconnecting' || (!byUser && !clean && previous !== 'reconnecting')
  parts.session.connectionEnded(error, keep, clean)
  // Slot waiters were accepted before anything published from now on: they go first, and to the store.
  if (state === 'reconnecting') parts.outbound.prependOffline(parts.session.takeSlotWaiters())
  if (!keep) parts.outbound.endOffline(error)
  if (byUser) parts.endSubscriptions()
}

/** The user ended a client that is not connected: queued publishes fail, the store closes. */
export function endOffline(parts: PendingParts, clean: boolean): void {
  if (parts.outbound.offlineLength === 0 && parts.session.idle) return
  const error = new MqttError('CLOSED', 'the client was closed before the message could be sent')
  parts.outbound.endOffline(error)
  parts.session.connectionEnded(error, false, clean)
  parts.storeLife.close()
}
