// Tracing: leveled entries tagged with the seed's components; the password never appears, even at verbose.
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../src/index.js'
import { startMosquitto, traceCollector, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

const PASSWORD = 'Zebra-Quokka-93817-secret'
let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto({ users: { bob: PASSWORD } }) })
afterAll(async () => { await broker?.stop() })

describe('trace', () => {
  it('verbose traces the protocol by component and never contains the password', async () => {
    const trace = traceCollector()
    const client = await connect(broker.url, {
      clientId: uniqueId(), username: 'bob', password: PASSWORD, keepalive: 30,
      trace: { level: 'verbose', sink: trace.sink },
    })
    const topic = uniqueTopic('trace')
    const sub = await client.subscribe(topic, undefined, { qos: 2 })
    await client.publish(topic, 'payload', { qos: 2 })
    await sub[Symbol.asyncIterator]().next()
    await client.disconnect()
    // A failed attempt with a wrong password is traced too.
    await connect(broker.url, { clientId: uniqueId(), username: 'bob', password: `${PASSWORD}-wrong`, trace: { level: 'verbose', sink: trace.sink } }).catch(() => {})

    expect(trace.entries.length).toBeGreaterThan(5)
    const components = new Set(trace.entries.map((e) => e.component))
    expect(components.has('net')).toBe(true)
    expect(components.has('state')).toBe(true)
    expect(trace.entries.some((e) => e.message.startsWith('send CONNECT') && e.message.includes('password=<redacted>'))).toBe(true)
    for (const e of trace.entries) {
      expect(['critical', 'warn', 'verbose']).toContain(e.level)
      expect(typeof e.time).toBe('number')
      expect(JSON.stringify(e)).not.toContain(PASSWORD)
      expect(JSON.stringify(e)).not.toContain('Zebra')
    }
  })

  it('console.log and JSON.stringify of a client, or of its options, show who and where, never the password', async () => {
    const url = broker.url.replace('mqtt://', `mqtt://bob:${PASSWORD}@`)
    const client = await connect(url, { clientId: uniqueId(), username: 'bob', password: PASSWORD })
    const shown = [inspect(client, { depth: 10 }), JSON.stringify(client), inspect(client.options, { depth: 10 }), JSON.stringify(client.options)]
    for (const text of shown) expect(text).not.toContain(PASSWORD)
    expect(shown[0]).toBe(`MqttClient {\n  clientId: '${client.clientId}',\n  protocolVersion: 4,\n  state: 'connected',\n  server: '${broker.url}'\n}`)
    expect(JSON.parse(shown[1]!)).toEqual({ clientId: client.clientId, protocolVersion: 4, state: 'connected', server: broker.url })
    expect(client.options.password).toBe(PASSWORD)
    await client.disconnect()
  })

  it("level 'warn' leaves out verbose entries and 'off' emits nothing", async () => {
    const warn = traceCollector()
    const off = traceCollector()
    const a = await connect(broker.url, { clientId: uniqueId(), username: 'bob', password: PASSWORD, trace: { level: 'warn', sink: warn.sink } })
    const b = await connect(broker.url, { clientId: uniqueId(), username: 'bob', password: PASSWORD, trace: { level: 'off', sink: off.sink } })
    await a.publish(uniqueTopic(), 'x', { qos: 1 })
    await a.disconnect()
    await b.disconnect()
    expect(warn.entries.every((e) => e.level !== 'verbose')).toBe(true)
    expect(off.entries).toEqual([])
  })
})
