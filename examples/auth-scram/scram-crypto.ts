// The SCRAM-SHA-256 primitives (RFC 5802, RFC 7677) on WebCrypto: the same code in Node 20+ and browsers.
// Shared by the client authenticator and the example's server side.

const subtle = globalThis.crypto.subtle
const encoder = new TextEncoder()

/** UTF-8 bytes. */
export const utf8 = (s: string): Uint8Array => encoder.encode(s)

/** Standard base64 with btoa/atob, which browsers and Node 16+ both have. */
export function toBase64(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s)
}

/** Decodes standard base64; throws on anything else. */
export function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error('SCRAM: invalid base64')
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}

/** A random nonce of printable characters (base64 of 18 random bytes, no ','). */
export function nonce(): string {
  return toBase64(globalThis.crypto.getRandomValues(new Uint8Array(18)))
}

/** HMAC-SHA-256. */
export async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return new Uint8Array(await subtle.sign('HMAC', k, data as BufferSource))
}

/** SHA-256. */
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle.digest('SHA-256', data as BufferSource))
}

/** Hi() of RFC 5802: PBKDF2-HMAC-SHA-256 with a 32-byte output. */
export async function saltedPassword(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const k = await subtle.importKey('raw', utf8(password) as BufferSource, 'PBKDF2', false, ['deriveBits'])
  return new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, k, 256))
}

/** Byte-wise XOR of two equal-length arrays. */
export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!
  return out
}

/** Constant-time comparison, so a forged signature leaks nothing through timing. */
export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!
  return d === 0
}

/** The attributes of a SCRAM message ("a=1,b=2"): values may contain '='. */
export function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of message.split(',')) {
    const eq = part.indexOf('=')
    if (eq === 1) out.set(part[0]!, part.slice(2))
  }
  return out
}

/** A SCRAM username: '=' and ',' escaped as RFC 5802 §5.1 requires. */
export function escapeName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C')
}
