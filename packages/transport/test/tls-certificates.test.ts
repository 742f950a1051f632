// TLS verifies the server by default and names each certificate failure; client certificates, passphrases,
// SNI and ALPN reach the server. Brokers and certificates are real, made at test time.
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer, type Server, type TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTransport, TransportError, type Transport } from '../src/index.node.js'
import { createTestCertificates, type TestCertificates } from '../../../tests/support/certs.js'
import { startMosquitto, type Mosquitto } from '../../../tests/support/mosquitto.js'
import { closeTransport, rawConnect } from './support/raw-mqtt.js'

let certs: TestCertificates
let broker: Mosquitto
let clientCertBroker: Mosquitto
let ca: string
let otherCa: string

beforeAll(async () => {
  certs = await createTestCertificates()
  const tls = { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile }
  ;[broker, clientCertBroker] = await Promise.all([
    startMosquitto({ websockets: true, tls }),
    startMosquitto({ tls: { ...tls, caFile: certs.caFile, requireCertificate: true } }),
  ])
  ca = await readFile(certs.caFile, 'utf8')
  otherCa = await readFile(certs.otherCaFile, 'utf8')
})

afterAll(async () => {
  await Promise.all([broker?.stop(), clientCertBroker?.stop()])
  await certs?.cleanup()
})

async function rejection(p: Promise<unknown>): Promise<TransportError> {
  const err = await p.then(() => { throw new Error('expected a rejection') }, (e: unknown) => e)
  expect(err).toBeInstanceOf(TransportError)
  return err as TransportError
}

async function connackOf(t: Transport): Promise<number[]> {
  try {
    return Array.from(await rawConnect(t, `tls-${Math.random().toString(36).slice(2)}`))
  } finally {
    await closeTransport(t)
  }
}

describe('server verification', () => {
  it('trusting the signing CA: CONNACK', async () => {
    expect(await connackOf(await openTransport(`mqtts://127.0.0.1:${broker.tlsPort}`, { tls: { ca } }))).toEqual([0, 0])
  })

  it.each(['mqtts', 'wss'])('%s with the wrong CA fails with CERT_UNTRUSTED naming the OpenSSL code', async (scheme) => {
    const port = scheme === 'wss' ? broker.wssPort : broker.tlsPort
    const err = await rejection(openTransport(`${scheme}://127.0.0.1:${port}`, { tls: { ca: otherCa } }))
    expect(err.code).toBe('CERT_UNTRUSTED')
    expect(err.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
  })

  it('verifies by default: the platform CAs do not trust a private CA', async () => {
    expect((await rejection(openTransport(`mqtts://127.0.0.1:${broker.tlsPort}`))).code).toBe('CERT_UNTRUSTED')
  })

  it('a name the certificate does not carry fails with CERT_HOSTNAME_MISMATCH', async () => {
    const err = await rejection(openTransport(`mqtts://127.0.0.1:${broker.tlsPort}`, { tls: { ca, servername: 'broker.example' } }))
    expect(err.code).toBe('CERT_HOSTNAME_MISMATCH')
  })

  it('rejectUnauthorized: false connects despite the wrong CA (the user turned it off)', async () => {
    const t = await openTransport(`mqtts://127.0.0.1:${broker.tlsPort}`, { tls: { ca: otherCa, rejectUnauthorized: false } })
    expect(await connackOf(t)).toEqual([0, 0])
  })
})

describe('client certificates', () => {
  it('a broker that requires one accepts ours: CONNACK', async () => {
    const [cert, key] = await Promise.all([readFile(certs.clientCertFile), readFile(certs.clientKeyFile)])
    const t = await openTransport(`mqtts://127.0.0.1:${clientCertBroker.tlsPort}`, { tls: { ca, cert, key } })
    expect(await connackOf(t)).toEqual([0, 0])
  })

  it('an encrypted key opens with its passphrase', async () => {
    const [cert, key] = await Promise.all([readFile(certs.clientCertFile, 'utf8'), readFile(certs.clientKeyEncryptedFile, 'utf8')])
    const t = await openTransport(`mqtts://localhost:${clientCertBroker.tlsPort}`, { tls: { ca, cert, key, passphrase: certs.passphrase } })
    expect(await connackOf(t)).toEqual([0, 0])
  })

  it('without one, the broker\'s refusal surfaces as CLIENT_CERT_REJECTED', async () => {
    // TLS 1.3 finishes the client's handshake before the server checks: the refusal may come at open or just after.
    const outcome = await openTransport(`mqtts://127.0.0.1:${clientCertBroker.tlsPort}`, { tls: { ca } }).then(
      async (t) => {
        const failed = once(t, 'error').then(([e]) => e as TransportError)
        t.write(new Uint8Array([0xc0, 0])) // PINGREQ: anything that makes the server read
        return failed
      },
      (e: unknown) => e as TransportError,
    )
    expect(outcome).toBeInstanceOf(TransportError)
    expect(outcome.code).toBe('CLIENT_CERT_REJECTED')
  })
})

describe('against a local TLS server', () => {
  async function tlsServer(certFile: string): Promise<{ server: Server; port: number }> {
    const [cert, key] = await Promise.all([readFile(certFile), readFile(certs.serverKeyFile)])
    const server = createServer({ cert, key, ALPNProtocols: ['mqtt'] }, (s) => { s.resume() })
    server.on('tlsClientError', () => {})
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return { server, port: (server.address() as { port: number }).port }
  }

  it('an expired server certificate fails with CERT_EXPIRED', async () => {
    const { server, port } = await tlsServer(certs.expiredServerCertFile)
    try {
      expect((await rejection(openTransport(`mqtts://127.0.0.1:${port}`, { tls: { ca } }))).code).toBe('CERT_EXPIRED')
    } finally {
      server.close()
    }
  })

  it('sends the SNI servername and negotiates ALPN', async () => {
    const { server, port } = await tlsServer(certs.serverCertFile)
    try {
      const accepted = once(server, 'secureConnection')
      const t = await openTransport(`mqtts://127.0.0.1:${port}`, { tls: { ca, servername: 'localhost', ALPNProtocols: ['mqtt'] } })
      expect((t as unknown as TLSSocket).alpnProtocol).toBe('mqtt')
      const [serverSide] = (await accepted) as [TLSSocket]
      expect(serverSide.servername).toBe('localhost')
      await closeTransport(t)
    } finally {
      server.close()
    }
  })
})
