// Node only: `ws:` / `wss:` through isomorphic-ws (the ws package), with headers, TLS options and an http(s).Agent.
import WebSocket from 'isomorphic-ws'
import { TransportError } from './errors.js'
import { mapError } from './map-error.js'
import { nodeTlsOptions } from './tls-transport.js'
import type { HeadersInput, Transport, TransportOptions, WebSocketLike } from './types.js'
import { describe } from './url.js'
import { openWebSocket } from './websocket-connect.js'

const noop = (): void => {}

async function resolveHeaders(headers: HeadersInput | undefined): Promise<Record<string, string> | undefined> {
  return typeof headers === 'function' ? await headers() : headers
}

/** Opens `ws:`/`wss:` with ws: handshake headers (or a provider called per connection), TLS options, real backpressure. */
export function createWebSocketTransport(url: URL, options: TransportOptions): Promise<Transport> {
  const what = describe(url)
  const asWs = (socket: WebSocketLike): WebSocket => socket as unknown as WebSocket
  return openWebSocket(url, options, {
    // Buffers straight from ws's receiver; 'arraybuffer' would copy every frame that shares a read.
    binaryType: 'nodebuffer',
    create: async (target, protocols, fail) => {
      const headers = await resolveHeaders(options.wsOptions?.headers)
      const ws = new WebSocket(target, protocols, {
        ...(target.protocol === 'wss:' ? nodeTlsOptions(options.tls) : {}),
        ...(headers ? { headers } : {}),
        ...(options.wsOptions?.agent !== undefined ? { agent: options.wsOptions.agent as never } : {}),
        // MQTT payloads are often already compact; compression would cost CPU on the hot path.
        perMessageDeflate: false,
      })
      // ws throws on an 'error' nobody listens to; the adapter listens through addEventListener.
      ws.on('error', noop)
      ws.on('unexpected-response', (req, res) => {
        const status = res.statusCode ?? 0
        res.resume()
        req.destroy()
        fail(new TransportError('WS_HANDSHAKE_FAILED', `${what}: WebSocket handshake refused with HTTP ${status}`, { status }))
      })
      return ws as unknown as WebSocketLike
    },
    flow: (socket) => {
      const ws = asWs(socket)
      return {
        send: (data, done) => ws.send(data, done),
        pause: () => ws.pause(),
        resume: () => ws.resume(),
        terminate: () => ws.terminate(),
      }
    },
    handshakeError: (event, at) => {
      const err = mapError((event as { error?: unknown }).error ?? event, at, 'connect')
      // Hung up on before any HTTP answer: most often an MQTT (TCP) port given as ws://, which takes the
      // request for a malformed packet.
      return err.code === 'CONNECTION_CLOSED'
        ? new TransportError(err.code, `${err.message} during the WebSocket handshake (an MQTT port? it takes mqtt://)`, { cause: err.cause })
        : err
    },
    mapError,
  })
}
