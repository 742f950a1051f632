// Error mapping on the WebSocket path browsers reach. A browser's WebSocket never tells why it failed, so
// there is no errno/OpenSSL table here (that is map-error.ts, which only the Node entry loads); what remains
// reads the errors a W3C class such as ws's does report. Browser-safe.
import { TransportError, isTransportError } from './errors.js'

/** Where the failure happened: opening the connection, or on an open stream. */
export type Phase = 'connect' | 'stream'

/** Maps any error to a TransportError naming its cause; `what` is `scheme://host:port` (no secrets). */
export type ErrorMapper = (err: unknown, what: string, phase: Phase) => TransportError

/** The platform's string `code` of an error (errno, OpenSSL, ws), if it has one. */
export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Maps what a W3C WebSocket class reports: handshake refusals, frame errors, else a generic failure. */
export function mapWebError(err: unknown, what: string, phase: Phase): TransportError {
  if (isTransportError(err)) return err
  const code = codeOf(err)
  const message = err instanceof Error ? err.message : String(err)
  // ws reports a refused handshake as an error with this message; the status is what the user needs.
  const status = /^Unexpected server response: (\d{3})/.exec(message)
  if (status) {
    return new TransportError('WS_HANDSHAKE_FAILED', `${what}: WebSocket handshake refused with HTTP ${status[1]}`, { cause: err, status: Number(status[1]) })
  }
  if (code?.startsWith('WS_ERR_')) return new TransportError('WS_PROTOCOL_ERROR', `${what}: invalid WebSocket frame (${code})`, { cause: err })
  const withCode = code ? ` (${code})` : ''
  if (phase === 'stream') return new TransportError('CONNECTION_CLOSED', `${what}: connection lost${withCode}`, { cause: err })
  return /sec-websocket|subprotocol|handshake/i.test(message)
    ? new TransportError('WS_HANDSHAKE_FAILED', `${what}: WebSocket handshake failed`, { cause: err })
    : new TransportError('CONNECTION_FAILED', `${what}: cannot connect${withCode}`, { cause: err })
}
