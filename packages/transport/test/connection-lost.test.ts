// A connection that dies under an open transport surfaces as CONNECTION_CLOSED, on every transport.
import { once } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { openTransport, TransportError, type Transport } from '../src/index.node.js'
import { startMosquitto } from '../../../tests/support/mosquitto.js'
import { rawConnect } from './support/raw-mqtt.js'

const servers: Server[] = []
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))) })

/** Keeps writing until the transport fails; resolves with its error. */
function writeUntilError(t: Transport): Promise<TransportError> {
  const failed = once(t, 'error').then(([e]) => e as TransportError)
  void (async () => {
    const chunk = new Uint8Array(64 * 1024)
    while (!t.destroyed) if (!t.write(chunk)) await once(t, 'drain')
  })().catch(() => {}) // once() rejects with the same error, which `failed` reports
  return failed
}

describe('connection lost mid-stream', () => {
  it('TCP: a reset by the peer yields CONNECTION_CLOSED with the errno cause', async () => {
    const server = createServer((s: Socket) => s.once('data', () => s.resetAndDestroy()))
    servers.push(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const t = await openTransport(`mqtt://127.0.0.1:${(server.address() as { port: number }).port}`)
    const err = await writeUntilError(t)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.code).toBe('CONNECTION_CLOSED')
    expect(['ECONNRESET', 'EPIPE']).toContain((err.cause as { code?: string }).code)
  })

  it('WebSocket: Mosquitto killed mid-stream yields CONNECTION_CLOSED (abnormal closure 1006)', async () => {
    const broker = await startMosquitto({ websockets: true })
    try {
      const t = await openTransport(`ws://127.0.0.1:${broker.wsPort}`)
      expect(Array.from(await rawConnect(t, 'lost-ws'))).toEqual([0, 0])
      const failed = once(t, 'error')
      await broker.stopProcess('SIGKILL')
      const [err] = (await failed) as [TransportError]
      expect(err.code).toBe('CONNECTION_CLOSED')
      expect(err.closeCode).toBe(1006)
    } finally {
      await broker.stop()
    }
  })
})
