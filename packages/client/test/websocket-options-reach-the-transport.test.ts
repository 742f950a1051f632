// The client's wsOptions reach the built-in WebSocket transport on every path: connect() (which opens the
// first server's transport before it builds the client) and a client's own attempts. Shown with an
// http.Agent, the way a proxy agent is given, that counts the connections it makes.
import { Agent } from 'node:http'
import { MemoryStore } from '@isomqtt/store'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connect, createClient } from '../src/index.js'
import { startMosquitto, uniqueId, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto({ websockets: true }) })
afterAll(async () => { await broker?.stop() })

function countingAgent(): { agent: Agent; made: () => number } {
  const agent = new Agent()
  let made = 0
  const create = agent.createConnection.bind(agent)
  agent.createConnection = (options, callback) => { made++; return create(options, callback) }
  return { agent, made: () => made }
}

it('connect() over ws: makes its connection through wsOptions.agent', async () => {
  const { agent, made } = countingAgent()
  const client = await connect(`ws://127.0.0.1:${broker.wsPort}`, { clientId: uniqueId(), wsOptions: { agent } })
  expect(made()).toBe(1)
  await client.publish('ws/agent', 'x', { qos: 1 })
  await client.disconnect()
  agent.destroy()
})

it('a client\'s own attempt over ws (a store of its own: no early transport) uses it too', async () => {
  const { agent, made } = countingAgent()
  const client = createClient({ servers: [`ws://127.0.0.1:${broker.wsPort}`], clientId: uniqueId(), store: new MemoryStore(), wsOptions: { agent } })
  await client.connect()
  expect(made()).toBe(1)
  await client.disconnect()
  agent.destroy()
})
