// MQTT 5 enhanced authentication: a step may return user properties with its data, and they travel on the
// packet that carries the step (CONNECT for the first one, AUTH afterwards), in order, after the user's own.
import { describe, expect, it } from 'vitest'
import { createClient, type Authenticator } from '../src/index.js'
import { scripted } from './scripted-peer.js'

const url = 'mqtt://scripted.invalid'
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b)
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

const withProperties: Authenticator = {
  method: 'TEST-UP',
  step(s) {
    if (s.phase === 'start') return { data: bytes('hello'), userProperties: [['step', s.reauthenticate ? 'restart' : 'start'], ['step', 'again']] }
    if (s.phase === 'continue') return { data: bytes(`answer-${text(s.data)}`), userProperties: [['nonce', text(s.data)]] }
    return undefined
  },
}

describe('MQTT 5 authenticator user properties', () => {
  it('puts them on CONNECT (after the user\'s own) and on each AUTH, at connect and when re-authenticating', async () => {
    const s = scripted(5)
    const client = createClient({
      servers: [url], protocolVersion: 5, transport: s.transport, reconnect: false, authenticator: withProperties,
      properties: { userProperties: [['app', 'dash']] },
    })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    const connect = await peer.expect('connect')
    expect(connect.properties?.userProperties).toEqual([['app', 'dash'], ['step', 'start'], ['step', 'again']])
    expect(text(connect.properties?.authenticationData)).toBe('hello')
    peer.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TEST-UP', authenticationData: bytes('c1') } })
    const a1 = await peer.expect('auth')
    expect(a1.properties?.userProperties).toEqual([['nonce', 'c1']])
    expect(text(a1.properties?.authenticationData)).toBe('answer-c1')
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { authenticationMethod: 'TEST-UP' } })
    await connecting

    const reauth = client.reauthenticate()
    const start = await peer.expect('auth')
    expect(start.reasonCode).toBe(0x19)
    expect(start.properties?.userProperties).toEqual([['step', 'restart'], ['step', 'again']])
    peer.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TEST-UP', authenticationData: bytes('r1') } })
    expect((await peer.expect('auth')).properties?.userProperties).toEqual([['nonce', 'r1']])
    peer.send({ type: 'auth', reasonCode: 0x00, properties: { authenticationMethod: 'TEST-UP' } })
    await reauth
    client.destroy()
  })

  it('a step returning plain bytes sends no user properties', async () => {
    const s = scripted(5)
    const client = createClient({
      servers: [url], protocolVersion: 5, transport: s.transport, reconnect: false,
      authenticator: { method: 'TEST-PLAIN', step: (st) => (st.phase === 'done' ? undefined : bytes('x')) },
    })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    const connect = await peer.expect('connect')
    expect(connect.properties?.userProperties ?? []).toEqual([])
    peer.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TEST-PLAIN', authenticationData: bytes('c') } })
    expect((await peer.expect('auth')).properties?.userProperties ?? []).toEqual([])
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0 })
    await connecting
    client.destroy()
  })
})
