// Node entry of @isomqtt/transport: TCP, TLS, unix sockets and WebSocket (through ws).
import { w3cWebSocketFactory } from './browser-websocket-transport.js'
import { mapError } from './map-error.js'
import { createWebSocketTransport } from './node-websocket-transport.js'
import { createOpener } from './open-transport.js'
import { createTcpTransport } from './tcp-transport.js'
import { createTlsTransport } from './tls-transport.js'
import { createUnixTransport } from './unix-transport.js'

export { TransportError, isTransportError, type TransportErrorCode, type TransportErrorOptions } from './errors.js'
export type {
  Transport, TransportFactory, TransportOptions, TlsOptions, WebSocketOptions, WebSocketLike,
  WebSocketConstructor, CertificateInput, HeadersInput,
} from './types.js'
export { WebSocketDuplex, type WebSocketDuplexOptions, type WebSocketFlowControl } from './websocket-duplex.js'
export { createDuplexPair } from './duplex-pair.js'
export { kindOf as transportKind, type TransportKind } from './url.js'
export { createTcpTransport, createTlsTransport, createUnixTransport, createWebSocketTransport }

/** The browser's W3C WebSocket factory, for a W3C WebSocket class in Node (`wsOptions.WebSocket`), with Node's error mapping. */
export const createBrowserWebSocketTransport = w3cWebSocketFactory(mapError)

/** Opens any supported URL: `mqtt:`/`tcp:`, `mqtts:`/`ssl:`/`tls:`, `ws:`/`wss:`, `mqtt+unix:`/`unix:`. */
export const openTransport = createOpener(
  { tcp: createTcpTransport, tls: createTlsTransport, ws: createWebSocketTransport, unix: createUnixTransport },
  'no factory for it',
)
