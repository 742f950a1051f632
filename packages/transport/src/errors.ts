// The one error type of the transport package: a stable `code` to switch on, the original `cause`.
// The transport imports nothing from the codec or the client, so it defines its own class.

/** Stable transport error codes. New codes may be added; existing ones never change meaning. */
export type TransportErrorCode =
  | 'INVALID_URL' | 'UNSUPPORTED_SCHEME' | 'UNSUPPORTED_OPTION'
  | 'CONNECTION_REFUSED' | 'DNS_LOOKUP_FAILED' | 'HOST_UNREACHABLE' | 'CONNECT_TIMEOUT' | 'ABORTED'
  | 'CERT_UNTRUSTED' | 'CERT_HOSTNAME_MISMATCH' | 'CERT_EXPIRED' | 'CERT_NOT_YET_VALID' | 'CERT_REVOKED'
  | 'CLIENT_CERT_REJECTED' | 'TLS_HANDSHAKE_FAILED'
  | 'WS_HANDSHAKE_FAILED' | 'WS_PROTOCOL_ERROR'
  | 'CONNECTION_CLOSED' | 'CONNECTION_FAILED'

/** Details a TransportError may carry besides its code and message. */
export interface TransportErrorOptions {
  cause?: unknown
  /** HTTP status of a refused WebSocket handshake, when the platform reveals it. */
  status?: number
  /** WebSocket close code of an abnormal closure. */
  closeCode?: number
}

/** A failure to open or keep a transport; `code` is stable, `cause` is the platform's own error. */
export class TransportError extends Error {
  readonly code: TransportErrorCode
  readonly status?: number
  readonly closeCode?: number

  constructor(code: TransportErrorCode, message: string, options: TransportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'TransportError'
    this.code = code
    if (options.status !== undefined) this.status = options.status
    if (options.closeCode !== undefined) this.closeCode = options.closeCode
  }
}

/** True when `err` is a TransportError (also across duplicated copies of this package). */
export function isTransportError(err: unknown): err is TransportError {
  return err instanceof TransportError || (err instanceof Error && err.name === 'TransportError' && 'code' in err)
}
