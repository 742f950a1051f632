// The connection lifecycle as a plain function of (state, event) -> (state, actions), so every transition
// can be tested without sockets. client.ts performs the actions; the reconnect loop (a later issue) will
// feed the same events and add a 'reconnecting' state.
import { MqttError } from './errors.js'

/** Where the client is in its lifecycle. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'disconnecting' | 'closed'

/** Something that happened. */
export type LifecycleEvent =
  | { type: 'userConnect' }
  | { type: 'connackReceived'; sessionPresent: boolean }
  | { type: 'connectFailed'; error: Error }
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

/** The lifecycle transition function. Events that make no sense in a state are ignored. */
export function transition(state: ConnectionState, event: LifecycleEvent): Transition {
  switch (state) {
    case 'idle':
    case 'closed':
      if (event.type === 'userConnect') return { state: 'connecting', actions: [{ type: 'openConnection' }] }
      return stay(state)

    case 'connecting':
      switch (event.type) {
        case 'connackReceived':
          return {
            state: 'connected',
            actions: [
              { type: 'startKeepalive' },
              { type: 'resumeSession', sessionPresent: event.sessionPresent },
              { type: 'resolveConnect', sessionPresent: event.sessionPresent },
            ],
          }
        case 'connectFailed':
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
          return {
            state: 'closed',
            actions: [
              { type: 'stopKeepalive' },
              { type: 'closeTransport' },
              { type: 'failPending', error },
              { type: 'notifyConnectionLost', error },
              { type: 'emitClose' },
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
