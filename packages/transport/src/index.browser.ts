// Browser entry of @isomqtt/transport: WebSocket only; nothing here may import a Node built-in.
import { createWebSocketTransport } from './browser-websocket-transport.js'
import { createOpener } from './open-transport.js'

export { TransportError, isTransportError, type TransportErrorCode, type TransportErrorOptions } from './errors.js'
export type {
  Transport, TransportFactory, TransportOptions, TlsOptions, WebSocketOptions, WebSocketLike,
  WebSocketConstructor, CertificateInput, HeadersInput,
} from './types.js'
export { WebSocketDuplex, type WebSocketDuplexOptions, type WebSocketFlowControl } from './websocket-duplex.js'
export { createDuplexPair } from './duplex-pair.js'
export { kindOf as transportKind, type TransportKind } from './url.js'
export { createWebSocketTransport }

/** Opens `ws:`/`wss:` in a browser; `mqtt:` and the other raw-socket schemes are UNSUPPORTED_SCHEME. */
export const openTransport = /* @__PURE__ */ createOpener(
  { ws: createWebSocketTransport },
  'browsers cannot open raw TCP sockets; use ws:// or wss://',
)
