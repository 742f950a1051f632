// MQTT 5 enhanced authentication against a scripted peer (Mosquitto has no AUTH method without plugins):
// the exchange at connect, re-authentication started by the client and asked for by the server, and failures.
import { describe, expect, it } from 'vitest'
import { createClient, type Authenticator, type AuthStep } from '../src/index.js'
import { traceCollector } from './helpers.js'
import { scripted } from './scripted-peer.js'

const url = 'mqtt://scripted.invalid'
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b)
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A two-round challenge/response authenticator recording the steps it saw. */
function recorder(): Authenticator & { steps: string[] } {
  const steps: string[] = []
  return {
    method: 'TEST-CR',
    steps,
    step(s: AuthStep) {
      steps.push(`${s.phase}${s.reauthenticate ? '(re)' : ''}:${text(s.data)}`)
      if (s.phase === 'start') return bytes('hello')
      if (s.phase === 'continue') return bytes(`answer-${text(s.data)}`)
      if (text(s.data) !== 'welcome') throw new Error('server not verified')
      return undefined
    },
  }
}

describe('MQTT 5 enhanced authentication', () => {
  it('runs the AUTH exchange at connect and verifies the server final data', async () => {
    const s = scripted(5)
    const auth = recorder()
    const client = createClient({ servers: [url], protocolVersion: 5, transport: s.transport, reconnect: false, authenticator: auth })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    const connect = await peer.expect('connect')
    expect(connect.properties?.authenticationMethod).toBe('TEST-CR')
    expect(text(connect.properties?.authenticationData)).toBe('hello')
    peer.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TEST-CR', authenticationData: bytes('c1') } })
    const a1 = await peer.expect('auth')
    expect(a1.reasonCode).toBe(0x18)
    expect(text(a1.properties?.authenticationData)).toBe('answer-c1')
    peer.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TEST-CR', authenticationData: bytes('c2') } })
    expect(text((await peer.expect('auth')).properties?.authenticationData)).toBe('answer-c2')
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { authenticationMethod: 'TEST-CR', authenticationData: bytes('welcome') } })
    await connecting
    expect(auth.steps).toEqual(['start:', 'continue:c1', 'continue:c2', 'done:welcome'])
    client.destroy()
  })

  it('refuses a server whose final data does not verify, and reports a CONNACK failure reason', async () => {
    const s = scripted(5)
    const client = createClient({ servers: [url], protocolVersion: 5, transport: s.transport, reconnect: false, authenticator: recorder() })
    const connecting = client.connect()
    let peer = await s.nextPeer()
    await peer.expect('connect')
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { authenticationMethod: 'TEST-CR', authenticationData: bytes('impostor') } })
    await expect(connecting).rejects.toMatchObject({ code: 'AUTH_FAILED' })
    await peer.whenClosed()

    const again = client.connect()
    peer = await s.nextPeer()
    await peer.expect('connect')
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0x8c, properties: { reasonString: 'no such method' } })
    const err = await again.then(() => undefined, (e: Error) => e)
    expect(err).toMatchObject({ code: 'BAD_AUTHENTICATION_METHOD', reasonCode: 0x8c })
    expect(err?.message).toContain('no such method')
  })

  it('re-authenticates on demand: AUTH 0x19, continue, AUTH 0x00', async () => {
    const s = scripted(5)
    const auth = recorder()
    const client = createClient({ servers: [url], protocolVersion: 5, transport: s.transport, reconnect: false, authenticator: auth })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    await peer.expect('connect')
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { authenticationMethod: 'TEST-CR', authenticationData: bytes('welcome') } })
    await connecting
    const reauth = client.reauthenticate()
    const start = await peer.expect('auth')
    expect(start.reasonCode).toBe(0x19)
    expect(text(start.properties?.authenticationData)).toBe('hello')
    peer.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TEST-CR', authenticationData: bytes('r1') } })
    expect(text((await peer.expect('auth')).properties?.authenticationData)).toBe('answer-r1')
    peer.send({ type: 'auth', reasonCode: 0x00, properties: { authenticationMethod: 'TEST-CR', authenticationData: bytes('welcome') } })
    await reauth
    expect(auth.steps.slice(-3)).toEqual(['start(re):', 'continue(re):r1', 'done(re):welcome'])
    expect(client.connected).toBe(true)
    client.destroy()
  })

  it('answers a server asking to re-authenticate, and a refused re-authentication rejects with its reason', async () => {
    const s = scripted(5)
    const auth = recorder()
    const client = createClient({ servers: [url], protocolVersion: 5, transport: s.transport, reconnect: false, authenticator: auth })
    const lost: Error[] = []
    client.on('connectionLost', (e) => lost.push(e))
    const connecting = client.connect()
    const peer = await s.nextPeer()
    await peer.expect('connect')
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { authenticationMethod: 'TEST-CR', authenticationData: bytes('welcome') } })
    await connecting
    peer.send({ type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: 'TEST-CR' } })
    const start = await peer.expect('auth')
    expect(start.reasonCode).toBe(0x19)
    peer.send({ type: 'auth', reasonCode: 0x00, properties: { authenticationMethod: 'TEST-CR', authenticationData: bytes('welcome') } })
    await expect.poll(() => auth.steps.at(-1)).toBe('done(re):welcome')

    const reauth = client.reauthenticate()
    await peer.expect('auth')
    peer.send({ type: 'disconnect', reasonCode: 0x87, properties: { reasonString: 'token revoked' } })
    await expect(reauth).rejects.toMatchObject({ code: 'AUTH_FAILED', reasonCode: 0x87 })
    expect(lost[0]).toMatchObject({ code: 'SERVER_DISCONNECT', reasonCode: 0x87 })
    expect(lost[0]!.message).toContain('token revoked')
  })

  it('never puts authentication data into traces or errors', async () => {
    const s = scripted(5)
    const trace = traceCollector()
    const secret: Authenticator = {
      method: 'TEST-SECRET',
      step: (st) => {
        if (st.phase === 'start') return bytes('first-secret-token')
        if (st.phase === 'continue') throw new Error('refusing')
        return undefined
      },
    }
    const client = createClient({ servers: [url], protocolVersion: 5, transport: s.transport, reconnect: false, authenticator: secret, trace: { level: 'verbose', sink: trace.sink } })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    await peer.expect('connect')
    peer.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TEST-SECRET', authenticationData: bytes('server-secret-challenge') } })
    const err = (await connecting.catch((e: unknown) => e)) as Error
    expect(err).toMatchObject({ code: 'AUTH_FAILED' })
    const everything = JSON.stringify(trace.entries) + err.message + String(err.stack)
    expect(trace.entries.length).toBeGreaterThan(0)
    expect(everything).not.toContain('first-secret-token')
    expect(everything).not.toContain('server-secret-challenge')
  })

  it('reauthenticate() without an authenticator or connection rejects', async () => {
    const client = createClient({ servers: [url], protocolVersion: 5 })
    await expect(client.reauthenticate()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    // With an authenticator but before any connection (MQTT 5 not loaded yet): nothing to re-authenticate on.
    const unconnected = createClient({ servers: [url], protocolVersion: 5, authenticator: recorder() })
    await expect(unconnected.reauthenticate()).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    // MQTT 3.1.1 has no AUTH, whatever the options say.
    const v311 = createClient({ servers: [url], authenticator: recorder() })
    await expect(v311.reauthenticate()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'reauthenticate() needs MQTT 5 and an authenticator' })
  })
})
