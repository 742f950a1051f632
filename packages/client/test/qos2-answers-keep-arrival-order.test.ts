// One chunk from the server can both complete a QoS 2 publish (PUBCOMP) and ask for PUBRELs. What the application
// publishes when that publish completes is written between the PUBRELs, in the order the server's packets came:
// a server sending with Nagle's algorithm (Mosquitto's default) answers that order sooner. Byte order is what is
// asserted, so a scripted peer stands in for the broker.
import { encodeMany, type Packet } from '@isomqtt/codec'
import { describe, expect, it } from 'vitest'
import { connectScripted } from './scripted-peer.js'

const label = (p: Packet): string => (p.type === 'publish' ? `publish ${p.topic}` : `${p.type} ${'packetId' in p ? p.packetId : ''}`)

describe('QoS 2 answers keep the arrival order of what caused them', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion}: a publish made when a PUBCOMP completes one goes between that chunk's PUBRELs`, async () => {
      const { client, peer } = await connectScripted({ clientId: 'order', protocolVersion })
      const a = client.publish('t/a', 'a', { qos: 2 })
      const b = client.publish('t/b', 'b', { qos: 2 })
      const c = client.publish('t/c', 'c', { qos: 2 })
      const id: Record<string, number> = {}
      for (let i = 0; i < 3; i++) {
        const p = await peer.expect('publish')
        id[p.topic] = p.packetId!
      }
      // b's exchange goes first to its PUBREL stage.
      peer.send({ type: 'pubrec', packetId: id['t/b']! })
      expect((await peer.expect('pubrel')).packetId).toBe(id['t/b'])
      let d: Promise<unknown> | undefined
      const reacted = b.then(() => { d = client.publish('t/d', 'd', { qos: 2 }) })

      // One chunk: PUBREC a, PUBCOMP b (the application publishes d), PUBREC c.
      peer.sendRaw(encodeMany([
        { type: 'pubrec', packetId: id['t/a']! },
        { type: 'pubcomp', packetId: id['t/b']! },
        { type: 'pubrec', packetId: id['t/c']! },
      ], protocolVersion))
      const written = [await peer.expect('*'), await peer.expect('*'), await peer.expect('*')].map(label)
      expect(written).toEqual([`pubrel ${id['t/a']}`, 'publish t/d', `pubrel ${id['t/c']}`])

      // Every exchange still completes.
      await reacted
      const dId = peer.received.find((p) => p.type === 'publish' && p.topic === 't/d')!
      peer.sendRaw(encodeMany([
        { type: 'pubcomp', packetId: id['t/a']! },
        { type: 'pubcomp', packetId: id['t/c']! },
        { type: 'pubrec', packetId: (dId as { packetId: number }).packetId },
      ], protocolVersion))
      await expect(Promise.all([a, c])).resolves.toHaveLength(2)
      peer.send({ type: 'pubcomp', packetId: (dId as { packetId: number }).packetId })
      await expect(d).resolves.toMatchObject({ qos: 2 })
      client.destroy()
    })
  }
})
