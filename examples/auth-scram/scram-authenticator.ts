// A SCRAM-SHA-256 Authenticator for isomqtt's MQTT 5 enhanced authentication (RFC 5802 / RFC 7677 over
// AUTH packets). It proves the password without sending it and verifies the server's signature, so a
// server that does not know the password is refused. Runs in Node 20+ and browsers (WebCrypto only).
// Not covered: SASLprep normalisation of the password (pass it already normalised) and channel binding.
import type { Authenticator, AuthStep } from '@isomqtt/client'
import { attributes, equal, escapeName, fromBase64, hmac, nonce, saltedPassword, sha256, toBase64, utf8, xor } from './scram-crypto.js'

/** Options of the SCRAM-SHA-256 authenticator. */
export interface ScramOptions {
  username: string
  /** A secret: kept in this closure only, never in a packet, trace or error. */
  password: string
  /** Refuse servers asking for fewer PBKDF2 iterations than this [4096, RFC 7677's minimum]. */
  minIterations?: number
  /** The client nonce source [18 random bytes in base64]; fixed only to check against RFC 7677's vector. */
  nonce?: () => string
}

const GS2_HEADER = 'n,,'
const decoder = new TextDecoder('utf-8', { fatal: true })

/** The SCRAM-SHA-256 authenticator; one exchange at a time (a re-authentication starts a new one). */
export function scramSha256(options: ScramOptions): Authenticator {
  const minIterations = options.minIterations ?? 4096
  let clientFirstBare = ''
  let clientNonce = ''
  let expectedServerSignature: Uint8Array | undefined

  async function clientFinal(serverFirstBytes: Uint8Array | undefined): Promise<Uint8Array> {
    if (!serverFirstBytes) throw new Error('SCRAM: the server sent no challenge')
    const serverFirst = decoder.decode(serverFirstBytes)
    const a = attributes(serverFirst)
    const combinedNonce = a.get('r')
    const salt = a.get('s')
    const iterations = Number(a.get('i'))
    if (!combinedNonce?.startsWith(clientNonce) || combinedNonce.length <= clientNonce.length) throw new Error('SCRAM: the server nonce does not extend ours')
    if (salt === undefined) throw new Error('SCRAM: no salt')
    if (!Number.isInteger(iterations) || iterations < minIterations) throw new Error(`SCRAM: ${a.get('i')} iterations is below ${minIterations}`)
    const salted = await saltedPassword(options.password, fromBase64(salt), iterations)
    const clientKey = await hmac(salted, utf8('Client Key'))
    const storedKey = await sha256(clientKey)
    const withoutProof = `c=${toBase64(utf8(GS2_HEADER))},r=${combinedNonce}`
    const authMessage = utf8(`${clientFirstBare},${serverFirst},${withoutProof}`)
    const proof = xor(clientKey, await hmac(storedKey, authMessage))
    expectedServerSignature = await hmac(await hmac(salted, utf8('Server Key')), authMessage)
    return utf8(`${withoutProof},p=${toBase64(proof)}`)
  }

  function verifyServer(serverFinalBytes: Uint8Array | undefined): undefined {
    const expected = expectedServerSignature
    expectedServerSignature = undefined
    if (!expected) throw new Error('SCRAM: the server accepted before proving it knows the password')
    if (!serverFinalBytes) throw new Error('SCRAM: the server sent no signature')
    const a = attributes(decoder.decode(serverFinalBytes))
    if (a.has('e')) throw new Error(`SCRAM: the server reported ${a.get('e')}`)
    const v = a.get('v')
    if (v === undefined || !equal(fromBase64(v), expected)) throw new Error('SCRAM: the server signature does not verify')
    return undefined
  }

  return {
    method: 'SCRAM-SHA-256',
    async step(step: AuthStep): Promise<Uint8Array | undefined> {
      switch (step.phase) {
        case 'start':
          clientNonce = (options.nonce ?? nonce)()
          expectedServerSignature = undefined
          clientFirstBare = `n=${escapeName(options.username)},r=${clientNonce}`
          return utf8(GS2_HEADER + clientFirstBare)
        case 'continue':
          return clientFinal(step.data)
        case 'done':
          return verifyServer(step.data)
      }
    },
  }
}
