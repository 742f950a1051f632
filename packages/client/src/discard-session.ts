// destroy({ discard: true }): the user gives up every pending QoS 1/2 message (in flight, waiting for a
// slot, in the offline queue): their promises reject with DISCARDED and the store is emptied, so neither
// this client nor a later one with the same store sends them. Plain destroy() keeps them in the store.
import { MqttError } from './errors.js'
import type { OutboundFlow } from './outbound-flow.js'
import type { Session } from './session.js'
import type { StoreLifecycle } from './store-lifecycle.js'
import type { Tracer } from './trace.js'

/** The parts of a client that hold pending messages. */
export interface DiscardParts {
  session: Session
  outbound: OutboundFlow
  storeLife: StoreLifecycle
  trace: Tracer
}

/** Give up everything pending; `closed`: the client is idle or closed (its store is closed). */
export function discardSession(parts: DiscardParts, closed: boolean): void {
  const { session, outbound, storeLife, trace } = parts
  const error = new MqttError('DISCARDED', 'destroy({ discard: true }) gave the message up')
  // A closed client's store is closed: open it for the reset, in line with the session's store work.
  if (closed) void session.openStore().catch(() => {})
  outbound.endOffline(error)
  session.connectionEnded(error, false, false)
  // After this tick's store batch (publishes made just before), so nothing is put back after the reset.
  queueMicrotask(() => {
    session.reset().catch((err: unknown) => trace.warn('store', 'discarding the session failed', err))
  })
  if (closed) storeLife.close()
}
