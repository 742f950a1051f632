// The will: published by Mosquitto when the client is destroyed or its connection is cut, not after disconnect().
import { createConnection } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Message, type Transport } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

async function watcher(topic: string, protocolVersion: 3 | 4) {
  const got: Message[] = []
  const first = signal<Message>()
  const w = await connect(broker.url, { protocolVersion, clientId: uniqueId('w') })
  await w.subscribe(`${topic}/#`, (m) => { got.push(m); first.resolve(m) }, { qos: 2 })
  return { w, got, first: first.promise }
}

for (const protocolVersion of [3, 4] as const) {
  describe(`MQTT ${protocolVersion === 3 ? '3.1' : '3.1.1'}`, () => {
    for (const qos of [0, 1, 2] as const) {
      it(`publishes a QoS ${qos} will (binary payload, retained) when the client is destroyed`, async () => {
        const topic = uniqueTopic('will')
        const { w, first } = await watcher(topic, protocolVersion)
        const c = await connect(broker.url, {
          protocolVersion, clientId: uniqueId(),
          will: { topic: `${topic}/status`, payload: new Uint8Array([0xde, 0xad]), qos, retain: true },
        })
        c.destroy()
        const m = await first
        expect([...m.payload]).toEqual([0xde, 0xad])
        expect(m.qos).toBe(qos)
        await w.publish(`${topic}/status`, '', { qos: 1, retain: true })
        await w.disconnect()
      })
    }

    it('publishes a text will when the connection is cut under the client', async () => {
      const topic = uniqueTopic('will')
      const { w, first } = await watcher(topic, protocolVersion)
      let socket: ReturnType<typeof createConnection> | undefined
      const c = await connect(broker.url, {
        protocolVersion, clientId: uniqueId(),
        will: { topic: `${topic}/status`, payload: 'gone', qos: 1 },
        transport: (url) => new Promise<Transport>((resolve, reject) => {
          const s = createConnection({ host: url.hostname, port: Number(url.port) })
          socket = s
          s.once('connect', () => resolve(s as unknown as Transport))
          s.once('error', reject)
        }),
      })
      const lost = signal<Error>()
      c.on('connectionLost', (e) => lost.resolve(e))
      socket!.destroy()
      expect((await first).text()).toBe('gone')
      await lost.promise
      await w.disconnect()
    })

    it('does not publish the will after disconnect()', async () => {
      const topic = uniqueTopic('will')
      const { w, got } = await watcher(topic, protocolVersion)
      const c = await connect(broker.url, { protocolVersion, clientId: uniqueId(), will: { topic: `${topic}/status`, payload: 'gone', qos: 1 } })
      await c.disconnect()
      // A marker published after the disconnect arrives after any will would have: then nothing else came.
      const marker = signal()
      await w.subscribe(`${topic}-marker`, () => marker.resolve(), { qos: 1 })
      await w.publish(`${topic}-marker`, 'x', { qos: 1 })
      await marker.promise
      expect(got).toEqual([])
      await w.disconnect()
    })
  })
}
