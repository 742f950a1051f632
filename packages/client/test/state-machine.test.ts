// The lifecycle state machine as a pure function: every transition a user relies on, without sockets.
import { describe, expect, it } from 'vitest'
import { MqttError, transition, type ConnectionState, type LifecycleEvent } from '../src/index.js'

const types = (state: ConnectionState, event: LifecycleEvent) => {
  const t = transition(state, event)
  return { state: t.state, actions: t.actions.map((a) => a.type) }
}
const err = new MqttError('TRANSPORT_ERROR', 'boom')

describe('lifecycle transitions', () => {
  it('idle -> connecting -> connected starts keepalive, resumes the session, then resolves connect', () => {
    expect(types('idle', { type: 'userConnect' })).toEqual({ state: 'connecting', actions: ['openConnection'] })
    expect(types('connecting', { type: 'connackReceived', sessionPresent: true })).toEqual({
      state: 'connected', actions: ['startKeepalive', 'resumeSession', 'resolveConnect'],
    })
  })

  it('a failed attempt closes and rejects connect, without reporting a connection loss', () => {
    const t = transition('connecting', { type: 'connectFailed', error: err })
    expect(t.state).toBe('closed')
    expect(t.actions).toEqual([{ type: 'closeTransport' }, { type: 'rejectConnect', error: err }])
  })

  it('losing an established connection fails pending work and notifies connection lost once', () => {
    for (const event of [
      { type: 'transportClosed', error: err },
      { type: 'keepaliveTimeout', error: new MqttError('TIMEOUT', 'no pingresp') },
      { type: 'protocolError', error: new MqttError('MALFORMED_PACKET', 'bad') },
    ] as LifecycleEvent[]) {
      const t = transition('connected', event)
      expect(t.state).toBe('closed')
      expect(t.actions.map((a) => a.type)).toEqual(['stopKeepalive', 'closeTransport', 'failPending', 'notifyConnectionLost', 'emitClose'])
      expect(t.actions.filter((a) => a.type === 'notifyConnectionLost')).toHaveLength(1)
    }
  })

  it('a server closing without an error still reports CONNECTION_LOST', () => {
    const t = transition('connected', { type: 'transportClosed' })
    const lost = t.actions.find((a) => a.type === 'notifyConnectionLost') as unknown as { error: MqttError }
    expect(lost.error.code).toBe('CONNECTION_LOST')
  })

  it('disconnect quiesces, then sends DISCONNECT and closes without notifying a loss', () => {
    expect(types('connected', { type: 'userDisconnect' })).toEqual({ state: 'disconnecting', actions: ['startQuiesce'] })
    const t = types('disconnecting', { type: 'quiesceDone' })
    expect(t.state).toBe('closed')
    expect(t.actions).toEqual(['stopKeepalive', 'sendDisconnect', 'closeTransport', 'failPending', 'emitClose'])
  })

  it('destroy closes at once without DISCONNECT and without notifying a loss', () => {
    for (const from of ['connected', 'disconnecting'] as const) {
      const t = types(from, { type: 'userDestroy' })
      expect(t.state).toBe('closed')
      expect(t.actions).not.toContain('sendDisconnect')
      expect(t.actions).not.toContain('notifyConnectionLost')
      expect(t.actions).toContain('closeTransport')
    }
  })

  it('a transport closing while disconnecting is not a connection loss', () => {
    const t = types('disconnecting', { type: 'transportClosed', error: err })
    expect(t.state).toBe('closed')
    expect(t.actions).not.toContain('notifyConnectionLost')
  })

  it('disconnect or destroy while connecting aborts the attempt and rejects connect with ABORTED', () => {
    for (const type of ['userDisconnect', 'userDestroy'] as const) {
      const t = transition('connecting', { type })
      expect(t.state).toBe('closed')
      const reject = t.actions.find((a) => a.type === 'rejectConnect') as unknown as { error: MqttError }
      expect(reject.error.code).toBe('ABORTED')
      expect(t.actions.map((a) => a.type)).toContain('emitClose')
    }
  })

  it('a closed client can connect again', () => {
    expect(types('closed', { type: 'userConnect' })).toEqual({ state: 'connecting', actions: ['openConnection'] })
  })

  it('ignores events that make no sense in a state', () => {
    expect(types('idle', { type: 'keepaliveTimeout', error: err })).toEqual({ state: 'idle', actions: [] })
    expect(types('connected', { type: 'userConnect' })).toEqual({ state: 'connected', actions: [] })
    expect(types('closed', { type: 'transportClosed' })).toEqual({ state: 'closed', actions: [] })
    expect(types('connected', { type: 'connackReceived', sessionPresent: false })).toEqual({ state: 'connected', actions: [] })
  })
})
