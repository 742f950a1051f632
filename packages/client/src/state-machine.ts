// The connection lifecycle as a plain function of (state, event) -> (state, actions), so every transition
// can be tested without sockets. runtime.ts performs the actions. With reconnecting on, a lost connection
// goes to 'reconnecting' (pending work kept) instead of 'closed'; attempts run from that state.
import { MqttError } from './errors.js'

/** Where the client is in its lifecycle. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnecting' | 'closed'

/** Something that happened. */
export type LifecycleEvent =
  | { type: 'userConnect' }
  | { type: 'connackReceived'; sessionPresent: boolean }
  /** `retry`: the reconnect loop goes on (a reconnect, or the first connect with retryInitialConnect). */
  | { type: 'connectFailed'; error: Error; retry?: boolean }
  /** The reconnect loop's timer fired: make one attempt. */
  | { type: 'attemptReconnect' }
  | { type: 'transportClosed'; error?: Error }
  | { type: 'keepaliveTimeout'; error: Error }
  | { type: 'protocolError'; error: Error }
  | { type: 'userDisconnect' }
  | { type: 'quiesceDone' }
  | { type: 'userDestroy' }

/** Something the client must do. */
export type LifecycleAction =
  | { type: 'openConnection' }
  | { type: 'startKeepalive' }
  | { type: 'stopKeepalive' }
  | { type: 'resumeSession'; sessionPresent: boolean }
  | { type: 'resolveConnect'; sessionPresent: boolean }
  | { type: 'rejectConnect'; error: Error }
  | { type: 'startQuiesce' }
  | { type: 'sendDisconnect' }
  | { type: 'closeTransport' }
  | { type: 'failPending'; error: Error }
  | { type: 'notifyConnectionLost'; error: Error }
  | { type: 'emitClose' }
  | { type: 'scheduleReconnect'; error: Error }
  | { type: 'cancelReconnect' }

/** The result of one transition. */
export interface Transition {
  state: ConnectionState
  actions: LifecycleAction[]
}

const stay = (state: ConnectionState): Transition => ({ state, actions: [] })

/** An error for a connection that ended without one. */
function closedError(): Error {
  return new MqttError('CONNECTION_LOST', 'connection closed by the server')
}

/** What the transition function needs to know about the options. */
export interface TransitionContext {
  /** A lost connection is followed by reconnect attempts. */
  reconnect?: boolean
}

/** The lifecycle transition function. Events that make no sense in a state are ignored. */
export function transition(state: ConnectionState, event: LifecycleEvent, ctx: TransitionContext = {}): Transition {
  switch (state) {
    case 'idle':
    case 'closed':
      if (event.type === 'userConnect') return { state: 'connecting', actions: [{ type: 'openConnection' }] }
      return stay(state)

    case 'connecting':
      switch (event.type) {
        case 'connackReceived':
          return accepted(event.sessionPresent)
        case 'connectFailed':
          if (event.retry) return { state: 'reconnecting', actions: [{ type: 'closeTransport' }, { type: 'scheduleReconnect', error: event.error }] }
          return { state: 'closed', actions: [{ type: 'closeTransport' }, { type: 'rejectConnect', error: event.error }] }
        case 'protocolError':
          return { state: 'closed', actions: [{ type: 'closeTransport' }, { type: 'rejectConnect', error: event.error }] }
        case 'transportClosed':
          return { state: 'closed', actions: [{ type: 'rejectConnect', error: event.error ?? closedError() }] }
        case 'userDisconnect':
        case 'userDestroy': {
          const error = abortedError()
          return { state: 'closed', actions: [{ type: 'closeTransport' }, { type: 'rejectConnect', error }, { type: 'emitClose' }] }
        }
        default:
          return stay(state)
      }

    case 'connected':
      switch (event.type) {
        case 'transportClosed':
        case 'keepaliveTimeout':
        case 'protocolError': {
          const error = ('error' in event && event.error) || closedError()
          // The same teardown either way; only the last step differs: try again, or end.
          return {
            state: ctx.reconnect ? 'reconnecting' : 'closed',
            actions: [
              { type: 'stopKeepalive' },
              { type: 'closeTransport' },
              { type: 'failPending', error },
              { type: 'notifyConnectionLost', error },
              ctx.reconnect ? { type: 'scheduleReconnect', error } : { type: 'emitClose' },
            ],
          }
        }
        case 'userDisconnect':
          return { state: 'disconnecting', actions: [{ type: 'startQuiesce' }] }
        case 'userDestroy':
          return destroyed()
        default:
          return stay(state)
      }

    case 'reconnecting':
      switch (event.type) {
        case 'attemptReconnect':
          return { state, actions: [{ type: 'openConnection' }] }
        case 'connackReceived':
          return accepted(event.sessionPresent)
        case 'connectFailed':
        case 'protocolError':
          if (event.type === 'connectFailed' && event.retry) {
            return { state, actions: [{ type: 'closeTransport' }, { type: 'scheduleReconnect', error: event.error }] }
          }
          // Given up (a refused CONNACK): what waited for a connection fails with the reason.
          return {
            state: 'closed',
            actions: [
              { type: 'cancelReconnect' },
              { type: 'closeTransport' },
              { type: 'rejectConnect', error: event.error },
              { type: 'failPending', error: event.error },
              { type: 'emitClose' },
            ],
          }
        case 'userDisconnect':
        case 'userDestroy':
          return {
            state: 'closed',
            actions: [
              { type: 'cancelReconnect' },
              { type: 'closeTransport' },
              { type: 'rejectConnect', error: abortedError() },
              { type: 'failPending', error: abortedError('CLOSED', 'the client was closed') },
              { type: 'emitClose' },
            ],
          }
        default:
          return stay(state)
      }

    case 'disconnecting':
      switch (event.type) {
        case 'quiesceDone':
          return {
            state: 'closed',
            actions: [
              { type: 'stopKeepalive' },
              { type: 'sendDisconnect' },
              { type: 'closeTransport' },
              { type: 'failPending', error: abortedError('CLOSED', 'the client disconnected') },
              { type: 'emitClose' },
            ],
          }
        // The connection dropped while quiescing, or the user forced it: the user asked to leave, so
        // this is not a connection loss for them.
        case 'transportClosed':
        case 'keepaliveTimeout':
        case 'protocolError':
        case 'userDestroy':
          return destroyed()
        default:
          return stay(state)
      }
  }
}

/** A CONNACK accepted the connection, first or after a reconnect. */
function accepted(sessionPresent: boolean): Transition {
  return {
    state: 'connected',
    actions: [
      { type: 'startKeepalive' },
      { type: 'resumeSession', sessionPresent },
      { type: 'resolveConnect', sessionPresent },
    ],
  }
}

function destroyed(): Transition {
  return {
    state: 'closed',
    actions: [
      { type: 'stopKeepalive' },
      { type: 'closeTransport' },
      { type: 'failPending', error: abortedError('CLOSED', 'the client was closed') },
      { type: 'emitClose' },
    ],
  }
}

function abortedError(code = 'ABORTED', message = 'connect aborted by disconnect() or destroy()'): Error {
  return new MqttError(code, message)
}
