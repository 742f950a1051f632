// Types every transport shares; browser-safe (type-only imports).
import type { Duplex } from 'readable-stream'

/** A connected byte stream to the broker, carrying Uint8Array chunks (net.Socket and TLSSocket are ones too). */
export type Transport = Duplex

/** PEM text or DER/PEM bytes, one or several. */
export type CertificateInput = string | Uint8Array | ReadonlyArray<string | Uint8Array>

/** TLS settings for `mqtts:` and `wss:` in Node (browsers use their own trust store and ignore these). */
export interface TlsOptions {
  /** Trusted CA certificates; defaults to the platform's list. */
  ca?: CertificateInput
  /** Client certificate chain, for brokers that require one. */
  cert?: CertificateInput
  /** Private key of the client certificate. */
  key?: CertificateInput
  /** Passphrase of an encrypted `key`. */
  passphrase?: string
  /** SNI server name and the name the certificate is checked against; defaults to the URL's host. */
  servername?: string
  /** ALPN protocols to offer, e.g. `['mqtt']` (AWS IoT on port 443). */
  ALPNProtocols?: string[]
  /** Verify the server certificate; true unless set to false explicitly. */
  rejectUnauthorized?: boolean
}

/** A W3C WebSocket constructor (the browser's, or `ws`'s class in Node). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

/** The part of the W3C WebSocket interface the adapter uses; both browsers and `ws` provide it. */
export interface WebSocketLike {
  readonly readyState: number
  readonly bufferedAmount: number
  readonly protocol: string
  binaryType: string
  send(data: ArrayBufferView | ArrayBuffer): void
  close(code?: number, reason?: string): void
  addEventListener(type: string, listener: (event: any) => void): void
  removeEventListener(type: string, listener: (event: any) => void): void
}

/** HTTP headers for the WebSocket handshake, or an async provider called before every connection. */
export type HeadersInput = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>)

/** WebSocket settings. */
export interface WebSocketOptions {
  /** Handshake headers (Node only: browsers cannot set them; put tokens in the URL via `urlProvider`). */
  headers?: HeadersInput
  /** Subprotocols to offer; default `['mqtt']`, or `['mqttv3.1']` when `protocolVersion` is 3. */
  protocols?: string[]
  /** Called before every connection to rewrite the URL, e.g. to sign it with a fresh token. */
  urlProvider?: (url: URL) => URL | string | Promise<URL | string>
  /**
   * Node only: the http(s).Agent that makes the handshake's connection, e.g. one from `https-proxy-agent` to
   * go through an HTTP proxy (browsers use their own proxy settings).
   */
  agent?: unknown
  /** WebSocket class for the browser factory; defaults to `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor
  /** Browser factory: a write completes once `bufferedAmount` is at or below this many bytes (default 256 KiB). */
  bufferedAmountHighWaterMark?: number
  /** Writes made in one tick leave as frames of at most this many bytes (default 64 KiB); a larger write goes alone. */
  maxMergedFrameBytes?: number
}

/** How to open a transport. */
export interface TransportOptions {
  /** Give up connecting (TCP, TLS and WebSocket handshakes together) after this long; default 30 s, 0 = never. */
  connectTimeoutMs?: number
  /** Aborts the connection attempt; once the transport is open, closing it is the caller's job. */
  signal?: AbortSignal
  tls?: TlsOptions
  wsOptions?: WebSocketOptions
  /** MQTT protocol level; picks the WebSocket subprotocol (`mqttv3.1` for 3, else `mqtt`). */
  protocolVersion?: 3 | 4 | 5
  /**
   * Bytes written first, the moment the connection is up (the client passes its encoded CONNECT): they leave
   * with the handshake's completion, with no round trip through the caller. TCP and TLS sockets take them
   * before they connect and send them once connected; a WebSocket sends them on 'open'.
   */
  greeting?: Uint8Array
}

/** Opens a transport to `url`; resolves once bytes can flow, rejects with a TransportError. */
export type TransportFactory = (url: URL, options: TransportOptions) => Promise<Transport>
