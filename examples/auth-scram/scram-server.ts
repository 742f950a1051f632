// The server side of SCRAM-SHA-256, as a broker's auth plugin would run it: the example's in-memory broker
// and the test use it. It keeps only the salted keys (StoredKey, ServerKey), never the password.
import { attributes, equal, fromBase64, hmac, nonce, saltedPassword, sha256, toBase64, utf8, xor } from './scram-crypto.js'

/** What a server stores for one user (RFC 5802 §3). */
export interface ScramCredential {
  salt: Uint8Array
  iterations: number
  storedKey: Uint8Array
  serverKey: Uint8Array
}

/** Derives the stored credential from a password (done once, when the user is created). */
export async function scramCredential(password: string, iterations = 4096): Promise<ScramCredential> {
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16))
  const salted = await saltedPassword(password, salt, iterations)
  return {
    salt,
    iterations,
    storedKey: await sha256(await hmac(salted, utf8('Client Key'))),
    serverKey: await hmac(salted, utf8('Server Key')),
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/** One SCRAM exchange on the server: client-first -> server-first, client-final -> server-final. */
export class ScramServerExchange {
  private clientFirstBare = ''
  private serverFirst = ''
  private credential: ScramCredential | undefined

  constructor(private readonly lookup: (username: string) => ScramCredential | undefined) {}

  /** Answers the client-first message. */
  first(clientFirst: Uint8Array): Uint8Array {
    const text = decoder.decode(clientFirst)
    if (!text.startsWith('n,,')) throw new Error('unsupported GS2 header')
    this.clientFirstBare = text.slice(3)
    const a = attributes(this.clientFirstBare)
    const user = (a.get('n') ?? '').replace(/=2C/g, ',').replace(/=3D/g, '=')
    this.credential = this.lookup(user)
    // An unknown user gets a made-up challenge, so the answer does not reveal which users exist.
    const c = this.credential ?? { salt: new Uint8Array(16), iterations: 4096 }
    this.serverFirst = `r=${a.get('r') ?? ''}${nonce()},s=${toBase64(c.salt)},i=${c.iterations}`
    return utf8(this.serverFirst)
  }

  /** Verifies the client proof; resolves with server-final, or undefined when the proof is wrong. */
  async final(clientFinal: Uint8Array): Promise<Uint8Array | undefined> {
    const text = decoder.decode(clientFinal)
    const cut = text.lastIndexOf(',p=')
    const withoutProof = text.slice(0, cut)
    const proof = fromBase64(text.slice(cut + 3))
    const c = this.credential
    if (!c || cut < 0 || attributes(withoutProof).get('r') !== attributes(this.serverFirst).get('r')) return undefined
    const authMessage = utf8(`${this.clientFirstBare},${this.serverFirst},${withoutProof}`)
    const clientKey = xor(proof, await hmac(c.storedKey, authMessage))
    if (!equal(await sha256(clientKey), c.storedKey)) return undefined
    return utf8(`v=${toBase64(await hmac(c.serverKey, authMessage))}`)
  }
}
