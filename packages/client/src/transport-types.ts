// The shape of a transport as the client uses it. A readable-stream / Node Duplex (net.Socket, TLSSocket,
// the WebSocket adapter) fits it structurally, so the client needs no stream library types.
import type { WebSocketOptions } from '@isomqtt/transport'

export type { WebSocketOptions }

/** A byte stream: Uint8Array chunks in ('data'), writes out with backpressure ('drain'). */
export interface Transport {
  write(chunk: Uint8Array): boolean
  end(): unknown
  destroy(error?: Error): unknown
  on(event: string, listener: (...args: any[]) => void): unknown
  removeListener(event: string, listener: (...args: any[]) => void): unknown
}

/** TLS options passed to the transport (Node: tls.connect options; ignored by browsers). */
export type TlsOptions = Record<string, unknown>

/** Options a TransportFactory receives. */
export interface TransportOptions {
  connectTimeoutMs?: number
  signal?: AbortSignal
  tls?: TlsOptions
  protocolVersion?: 3 | 4 | 5
  /** Bytes to write first, the moment the connection is up (the client's CONNECT; see @isomqtt/transport). */
  greeting?: Uint8Array
  /** The client's `wsOptions`, for `ws:` / `wss:` (see @isomqtt/transport's WebSocketOptions). */
  wsOptions?: WebSocketOptions
}

/** Opens a transport to a URL; resolves once bytes can flow. */
export type TransportFactory = (url: URL, options: TransportOptions) => Promise<Transport>
