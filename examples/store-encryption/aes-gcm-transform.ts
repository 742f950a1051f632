// Encryption at rest for any isomqtt store: AES-256-GCM through WebCrypto (Node 20+ and browsers).
// Each stored record is iv (12 random bytes) || ciphertext+tag, so a changed byte fails to decrypt.

import type { StoreTransform } from '@isomqtt/store'

const IV_BYTES = 12

// WebCrypto's types refuse views that might sit on a SharedArrayBuffer; store bytes never do
const plain = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>

/** Imports 32 raw bytes as an AES-GCM key usable only to encrypt and decrypt. */
export function importAesKey(raw: Uint8Array): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', plain(raw), 'AES-GCM', false, ['encrypt', 'decrypt'])
}

/** A store transform that encrypts each packet with `key` and a fresh random IV. */
export function aesGcmTransform(key: CryptoKey): StoreTransform {
  const { subtle } = globalThis.crypto
  return {
    async encode(packet) {
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES))
      const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv }, key, plain(packet)))
      const out = new Uint8Array(IV_BYTES + sealed.length)
      out.set(iv)
      out.set(sealed, IV_BYTES)
      return out
    },
    async decode(stored) {
      const iv = plain(stored.subarray(0, IV_BYTES))
      return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv }, key, plain(stored.subarray(IV_BYTES))))
    },
  }
}
