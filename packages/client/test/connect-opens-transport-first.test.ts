// connect() opens the first server's transport, with the CONNECT as its first bytes, before it builds the
// client (early-transport.ts): the handshake then overlaps the client's setup. These tests hold it to one
// connection per connect, to the options it may do this for, and to closing a transport no attempt took.
import { once as eventOnce } from 'node:events'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { encode, Parser, type ConnectPacket } from '@isomqtt/codec'
import { MemoryStore } from '@isomqtt/store'
import { describe, expect, it } from 'vitest'
import { connect } from '../src/index.js'
import { openEarly } from '../src/early-transport.js'
import { resolveOptions } from '../src/options.js'
import type { Transport } from '../src/transport-types.js'
import { freePort } from '../../../tests/support/mosquitto.js'
import { once, uniqueId, useBrokerBehindProxy } from './helpers.js'

const env = useBrokerBehindProxy()

describe('connect() opens the transport before building the client', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion}: one connection per connect(), the CONNECT its first bytes`, async () => {
      const before = env.proxy.accepted
      const first: number[] = []
      env.proxy.tap((direction, chunk, conn) => { if (direction === 'up' && first[conn] === undefined) first[conn] = chunk[0]! })
      try {
        const c = await connect(env.proxy.url(), { clientId: uniqueId(), protocolVersion })
        expect(c.connected).toBe(true)
        await c.publish(`early/${uniqueId()}`, 'x', { qos: 1 })
        await c.disconnect()
      } finally {
        env.proxy.tap(undefined)
      }
      // A second socket would mean the attempt did not take the transport opened first and closed it.
      expect(env.proxy.accepted - before).toBe(1)
      expect(first.filter((b) => b !== undefined)).toEqual([0x10])
    })
  }

  it('a refused first server is reported as before, and the next server gets one connection', async () => {
    const dead = `mqtt://127.0.0.1:${await freePort()}`
    const before = env.proxy.accepted
    const c = await connect([dead, env.proxy.url()], { clientId: uniqueId(), connectTimeoutMs: 5000 })
    expect(c.server?.port).toBe(String(env.proxy.port))
    await c.disconnect()
    expect(env.proxy.accepted - before).toBe(1)
  })

  // A byte-exact case no broker makes on demand: refuse MQTT 3.1.1, accept 3.1. The attempt that takes the early
  // transport is the 3.1.1 one; the 3.1 retry opens its own.
  it('falls back to MQTT 3.1 on a new connection when the server refuses the early 3.1.1 one', async () => {
    const seen: ConnectPacket[] = []
    const server = createServer((socket: Socket) => {
      const parser = new Parser({ version: 4 })
      socket.on('data', (chunk: Uint8Array) => {
        for (const p of parser.push(chunk)) {
          if (p.type !== 'connect') continue
          seen.push(p)
          const refuse = p.protocolVersion === 4
          socket.write(encode({ type: 'connack', sessionPresent: false, reasonCode: refuse ? 1 : 0 }, p.protocolVersion ?? 4))
          if (refuse) socket.end()
        }
      })
      socket.on('error', () => {})
    })
    server.listen(0, '127.0.0.1')
    await eventOnce(server, 'listening')
    try {
      const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`
      const c = await connect(url, { clientId: uniqueId(), reconnect: false })
      expect(c.protocolVersion).toBe(3)
      expect(seen.map((p) => p.protocolVersion)).toEqual([4, 3])
      c.destroy()
    } finally {
      server.close()
    }
  })
})

describe('openEarly', () => {
  it('is not used where something must happen before the server hears from us', () => {
    const servers = [env.proxy.url()]
    // A user's store may hold a lock or a session to load; a custom transport or an authenticator may be async.
    expect(openEarly(resolveOptions({ servers, store: new MemoryStore() }))).toBeUndefined()
    expect(openEarly(resolveOptions({ servers, transport: () => Promise.reject(new Error('unused')) }))).toBeUndefined()
    expect(openEarly(resolveOptions({ servers, protocolVersion: 5, authenticator: { method: 'X', step: () => ({}) } }))).toBeUndefined()
    expect(openEarly(resolveOptions({ servers: [] }))).toBeUndefined()
  })

  it('closes a transport that no attempt took', async () => {
    const early = openEarly(resolveOptions({ servers: [env.proxy.url()], clientId: uniqueId() }))!
    const transport: Transport = await early.transport
    const closed = once(transport as never, 'close')
    early.release()
    await closed
    // Released once: the attempt can no longer take it.
    expect(early.take(early.server, early.version)).toBeUndefined()
  })
})
