// The QoS 2 replay guard through the client, against a scripted server: a legitimate repeat (same topic,
// payload and reused packet id, DUP=0) is always delivered, also right after a reconnect; only a DUP resend
// of a message released on the previous connection, arriving before any new message on a resumed session
// (what Mosquitto 2.0.11 does after a restart), is acknowledged without being delivered again.
import type { PublishPacket } from '@isomqtt/codec'
import { describe, expect, it } from 'vitest'
import { createClient, type MqttClient } from '../src/index.js'
import { accept, scripted, type ScriptedPeer } from './scripted-peer.js'

const url = 'mqtt://scripted.invalid'
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const q2 = (packetId: number, payload: string, dup: boolean): PublishPacket => ({ type: 'publish', topic: 't/q2', payload: bytes(payload), qos: 2, retain: false, dup, packetId })

/** Send one QoS 2 PUBLISH and run its exchange to PUBCOMP. */
async function exchange(peer: ScriptedPeer, p: PublishPacket): Promise<void> {
  peer.send(p)
  expect((await peer.expect('pubrec')).packetId).toBe(p.packetId)
  peer.send({ type: 'pubrel', packetId: p.packetId! })
  expect((await peer.expect('pubcomp')).packetId).toBe(p.packetId)
}

function setup(): { client: MqttClient; got: string[]; s: ReturnType<typeof scripted> } {
  const s = scripted(4)
  const got: string[] = []
  const client = createClient({
    servers: [url], transport: s.transport, clientId: 'replay-window', clean: false,
    reconnect: { minDelayMs: 1, maxDelayMs: 5 }, onMessage: (m) => { got.push(m.text()) },
  })
  return { client, got, s }
}

describe('QoS 2 replay guard in the client', () => {
  it('delivers a legitimate repeat (same topic, payload, reused id, DUP=0) on the same connection and after a reconnect', async () => {
    const { client, got, s } = setup()
    const connecting = client.connect()
    let peer = await accept(s.nextPeer())
    await connecting
    await exchange(peer, q2(5, 'on', false))
    await exchange(peer, q2(5, 'on', false))
    peer.drop()
    peer = await accept(s.nextPeer(), true)
    await exchange(peer, q2(5, 'on', false))
    expect(got).toEqual(['on', 'on', 'on'])
    client.destroy()
  })

  it('acknowledges without delivering a DUP resend of a message released before the reconnect', async () => {
    const { client, got, s } = setup()
    const connecting = client.connect()
    let peer = await accept(s.nextPeer())
    await connecting
    await exchange(peer, q2(5, 'on', false))
    peer.drop()
    peer = await accept(s.nextPeer(), true)
    await exchange(peer, q2(5, 'on', true))
    await exchange(peer, q2(6, 'next', false))
    expect(got).toEqual(['on', 'next'])
    client.destroy()
  })

  it('delivers a DUP PUBLISH after the first new message of the connection, and after a connect without session', async () => {
    const { client, got, s } = setup()
    const connecting = client.connect()
    let peer = await accept(s.nextPeer())
    await connecting
    await exchange(peer, q2(5, 'on', false))
    peer.drop()
    peer = await accept(s.nextPeer(), true)
    await exchange(peer, q2(9, 'new', false))
    await exchange(peer, q2(5, 'on', true))
    peer.drop()
    peer = await accept(s.nextPeer(), false)
    await exchange(peer, q2(9, 'new', true))
    expect(got).toEqual(['on', 'new', 'on', 'new'])
    client.destroy()
  })
})
