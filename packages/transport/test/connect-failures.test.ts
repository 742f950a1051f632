// Every way a connection attempt fails yields a TransportError with a stable code and the original cause.
import { once } from 'node:events'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer, type Server, type Socket } from 'node:net'
import WebSocket from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { createBrowserWebSocketTransport, openTransport, TransportError, type WebSocketConstructor } from '../src/index.node.js'
import { openTransport as openBrowserTransport } from '../src/index.browser.js'
import { freePort } from '../../../tests/support/mosquitto.js'

const servers: Array<Server | HttpServer> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { if ('closeAllConnections' in s) s.closeAllConnections(); s.close(r) })))
})

async function rejection(p: Promise<unknown>): Promise<TransportError> {
  const err = await p.then(() => { throw new Error('expected a rejection') }, (e: unknown) => e)
  expect(err).toBeInstanceOf(TransportError)
  return err as TransportError
}

/** A TCP listener that accepts and then says nothing (no TLS ServerHello, no HTTP upgrade). */
async function silentServer(): Promise<{ port: number; accepted: Socket[] }> {
  const accepted: Socket[] = []
  const server = createServer((s) => { accepted.push(s); s.on('error', () => {}); s.resume() })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { port: (server.address() as { port: number }).port, accepted }
}

const browserWs = { WebSocket: WebSocket as unknown as WebSocketConstructor }

describe('refused port', () => {
  it.each(['mqtt', 'mqtts', 'ws', 'wss'])('%s: yields CONNECTION_REFUSED with the errno cause', async (scheme) => {
    const port = await freePort()
    const err = await rejection(openTransport(`${scheme}://127.0.0.1:${port}`))
    expect(err.code).toBe('CONNECTION_REFUSED')
    expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED')
  })

  it('unix socket path that does not exist: CONNECTION_REFUSED', async () => {
    const err = await rejection(openTransport('unix:///nonexistent/isomqtt.sock'))
    expect(err.code).toBe('CONNECTION_REFUSED')
  })
})

describe('unknown host', () => {
  it.each(['mqtt', 'mqtts', 'ws'])('%s: a .invalid name yields DNS_LOOKUP_FAILED', async (scheme) => {
    const err = await rejection(openTransport(`${scheme}://no-such-host.invalid:1883`))
    expect(err.code).toBe('DNS_LOOKUP_FAILED')
    expect(err.cause).toBeDefined()
  })
})

describe('connect timeout', () => {
  it.each(['mqtts', 'ws', 'wss'])('%s: a server that never completes the handshake yields CONNECT_TIMEOUT and is hung up on', async (scheme) => {
    const { port, accepted } = await silentServer()
    const err = await rejection(openTransport(`${scheme}://127.0.0.1:${port}`, { connectTimeoutMs: 300 }))
    expect(err.code).toBe('CONNECT_TIMEOUT')
    expect(accepted).toHaveLength(1)
    // The attempt was torn down, not left dangling.
    if (!accepted[0]!.closed) await once(accepted[0]!, 'close')
  })
})

describe('abort', () => {
  it('aborting during a TLS handshake yields ABORTED with the reason as cause', async () => {
    const { port, accepted } = await silentServer()
    const controller = new AbortController()
    const pending = openTransport(`mqtts://127.0.0.1:${port}`, { signal: controller.signal, connectTimeoutMs: 0 })
    const reason = new Error('user gave up')
    setImmediate(() => controller.abort(reason))
    const err = await rejection(pending)
    expect(err.code).toBe('ABORTED')
    expect(err.cause).toBe(reason)
    if (accepted[0] && !accepted[0].closed) await once(accepted[0], 'close')
  })

  it('aborting a WebSocket handshake yields ABORTED', async () => {
    const { port } = await silentServer()
    const controller = new AbortController()
    const pending = openTransport(`ws://127.0.0.1:${port}`, { signal: controller.signal })
    setImmediate(() => controller.abort())
    expect((await rejection(pending)).code).toBe('ABORTED')
  })

  it('an already aborted signal yields ABORTED without dialing', async () => {
    const { port, accepted } = await silentServer()
    const err = await rejection(openTransport(`mqtt://127.0.0.1:${port}`, { signal: AbortSignal.abort() }))
    expect(err.code).toBe('ABORTED')
    expect(accepted).toHaveLength(0)
  })
})

describe('WebSocket handshake rejected', () => {
  async function notFoundServer(): Promise<number> {
    const server = createHttpServer((_req, res) => { res.writeHead(404).end('no mqtt here') })
    server.on('upgrade', (_req, socket) => { socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n') })
    servers.push(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return (server.address() as { port: number }).port
  }

  it('Node factory: WS_HANDSHAKE_FAILED with status 404', async () => {
    const port = await notFoundServer()
    const err = await rejection(openTransport(`ws://127.0.0.1:${port}/mqtt`))
    expect(err.code).toBe('WS_HANDSHAKE_FAILED')
    expect(err.status).toBe(404)
  })

  it('browser factory over ws\'s class: WS_HANDSHAKE_FAILED with status 404', async () => {
    const port = await notFoundServer()
    const err = await rejection(createBrowserWebSocketTransport(new URL(`ws://127.0.0.1:${port}`), { wsOptions: browserWs }))
    expect(err.code).toBe('WS_HANDSHAKE_FAILED')
    expect(err.status).toBe(404)
  })
})

describe('bad URLs', () => {
  it('unknown scheme: UNSUPPORTED_SCHEME', async () => {
    expect((await rejection(openTransport('http://127.0.0.1:1883'))).code).toBe('UNSUPPORTED_SCHEME')
  })

  it('not a URL: INVALID_URL', async () => {
    expect((await rejection(openTransport('not a url'))).code).toBe('INVALID_URL')
  })

  it('browser entry answers mqtt: with UNSUPPORTED_SCHEME saying why', async () => {
    const err = await rejection(openBrowserTransport('mqtt://127.0.0.1:1883'))
    expect(err.code).toBe('UNSUPPORTED_SCHEME')
    expect(err.message).toContain('browsers cannot open raw TCP sockets; use ws:// or wss://')
  })

  it('browser factory refuses handshake headers (browsers cannot send them)', async () => {
    const err = await rejection(createBrowserWebSocketTransport(new URL('ws://127.0.0.1:1'), { wsOptions: { ...browserWs, headers: { authorization: 'x' } } }))
    expect(err.code).toBe('UNSUPPORTED_OPTION')
  })

  it('error messages never carry the URL credentials or query', async () => {
    const port = await freePort()
    const err = await rejection(openTransport(`ws://user:s3cret@127.0.0.1:${port}/mqtt?token=t0ken`))
    expect(err.message).not.toMatch(/s3cret|t0ken/)
  })
})
