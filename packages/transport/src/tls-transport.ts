// Node only: `mqtts:` / `ssl:` / `tls:` over tls.TLSSocket.
import { connect, type ConnectionOptions } from 'node:tls'
import { connectSocket } from './socket-connect.js'
import type { CertificateInput, TlsOptions, Transport, TransportOptions } from './types.js'
import { describe, hostOf, portOf } from './url.js'

type NodeCert = string | Buffer | Array<string | Buffer>

function toNode(input: CertificateInput | undefined): NodeCert | undefined {
  if (input === undefined) return undefined
  const one = (v: string | Uint8Array): string | Buffer =>
    typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)
  return typeof input === 'string' || input instanceof Uint8Array ? one(input) : input.map(one)
}

/** Node's tls options for ours; certificates are verified unless `rejectUnauthorized` is exactly false. */
export function nodeTlsOptions(tls: TlsOptions = {}): ConnectionOptions {
  const out: ConnectionOptions = { rejectUnauthorized: tls.rejectUnauthorized !== false }
  const ca = toNode(tls.ca)
  const cert = toNode(tls.cert)
  const key = toNode(tls.key)
  if (ca !== undefined) out.ca = ca
  if (cert !== undefined) out.cert = cert
  if (key !== undefined) out.key = key
  if (tls.passphrase !== undefined) out.passphrase = tls.passphrase
  if (tls.servername !== undefined) out.servername = tls.servername
  if (tls.ALPNProtocols !== undefined) out.ALPNProtocols = tls.ALPNProtocols
  return out
}

/** Opens a TLS connection (default port 8883); resolves after the handshake and certificate checks. */
export function createTlsTransport(url: URL, options: TransportOptions): Promise<Transport> {
  return connectSocket(describe(url), options, 'secureConnect', () =>
    connect({ ...nodeTlsOptions(options.tls), host: hostOf(url), port: portOf(url) }))
}
