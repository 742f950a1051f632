// Turns Node's errors (errno codes, OpenSSL verify codes, ws errors) into TransportErrors. Only the Node entry
// loads this table; the browser path maps with map-web-error.ts, which this falls back to.
import { TransportError, isTransportError, type TransportErrorCode } from './errors.js'
import { codeOf, mapWebError, type Phase } from './map-web-error.js'

export type { Phase }

type Rule = readonly [TransportErrorCode, string]

// Platform code -> our code and a human reason; the platform code is kept in the message.
const rules: Record<string, Rule> = {
  ECONNREFUSED: ['CONNECTION_REFUSED', 'connection refused'],
  ENOENT: ['CONNECTION_REFUSED', 'no socket at that path'],
  ENOTFOUND: ['DNS_LOOKUP_FAILED', 'host name not found'],
  EAI_AGAIN: ['DNS_LOOKUP_FAILED', 'host name lookup failed temporarily'],
  EAI_FAIL: ['DNS_LOOKUP_FAILED', 'host name lookup failed'],
  EAI_NODATA: ['DNS_LOOKUP_FAILED', 'host name has no address'],
  EAI_NONAME: ['DNS_LOOKUP_FAILED', 'host name not found'],
  EHOSTUNREACH: ['HOST_UNREACHABLE', 'host unreachable'],
  ENETUNREACH: ['HOST_UNREACHABLE', 'network unreachable'],
  EADDRNOTAVAIL: ['HOST_UNREACHABLE', 'address not available'],
  ETIMEDOUT: ['CONNECT_TIMEOUT', 'the operating system timed out'],
  ECONNRESET: ['CONNECTION_CLOSED', 'connection reset by peer'],
  EPIPE: ['CONNECTION_CLOSED', 'connection closed by peer while writing'],
  ECONNABORTED: ['CONNECTION_CLOSED', 'connection aborted'],
  ERR_STREAM_PREMATURE_CLOSE: ['CONNECTION_CLOSED', 'connection closed prematurely'],
  ERR_STREAM_DESTROYED: ['CONNECTION_CLOSED', 'connection already destroyed'],
  ERR_STREAM_WRITE_AFTER_END: ['CONNECTION_CLOSED', 'write after the connection ended'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['CERT_UNTRUSTED', 'server certificate is not signed by a trusted CA'],
  UNABLE_TO_GET_ISSUER_CERT: ['CERT_UNTRUSTED', 'issuer of the server certificate is unknown'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['CERT_UNTRUSTED', 'issuer of the server certificate is not trusted'],
  SELF_SIGNED_CERT_IN_CHAIN: ['CERT_UNTRUSTED', 'self-signed certificate in the chain is not trusted'],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['CERT_UNTRUSTED', 'self-signed server certificate is not trusted'],
  CERT_UNTRUSTED: ['CERT_UNTRUSTED', 'server certificate is not trusted'],
  CERT_SIGNATURE_FAILURE: ['CERT_UNTRUSTED', 'server certificate signature is invalid'],
  INVALID_CA: ['CERT_UNTRUSTED', 'a CA certificate in the chain is invalid'],
  CERT_CHAIN_TOO_LONG: ['CERT_UNTRUSTED', 'server certificate chain is too long'],
  ERR_TLS_CERT_ALTNAME_INVALID: ['CERT_HOSTNAME_MISMATCH', 'server certificate does not name this host'],
  HOSTNAME_MISMATCH: ['CERT_HOSTNAME_MISMATCH', 'server certificate does not name this host'],
  CERT_HAS_EXPIRED: ['CERT_EXPIRED', 'server certificate has expired'],
  CERT_NOT_YET_VALID: ['CERT_NOT_YET_VALID', 'server certificate is not valid yet'],
  CERT_REVOKED: ['CERT_REVOKED', 'server certificate was revoked'],
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: ['CLIENT_CERT_REJECTED', 'server requires a client certificate'],
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: ['CLIENT_CERT_REJECTED', 'server rejected the client certificate'],
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: ['CLIENT_CERT_REJECTED', 'server does not trust the client certificate'],
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: ['TLS_HANDSHAKE_FAILED', 'server aborted the TLS handshake'],
}

/** Maps Node's errors (errno, OpenSSL and ws codes) to a TransportError; `what` is `scheme://host:port`. */
export function mapError(err: unknown, what: string, phase: Phase): TransportError {
  if (isTransportError(err)) return err
  const code = codeOf(err)
  const rule = code === undefined ? undefined : rules[code]
  if (rule) return new TransportError(rule[0], `${what}: ${rule[1]} (${code})`, { cause: err })
  if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_') || code === 'EPROTO') {
    return new TransportError('TLS_HANDSHAKE_FAILED', `${what}: TLS failed (${code})`, { cause: err })
  }
  return mapWebError(err, what, phase)
}
