// UTF-8 Encoded Strings (MQTT 5 §1.5.4, 3.1.1 §1.5.3): length-prefixed, well-formed, no U+0000.
// Lengths are counted with a charCode loop so a string is encoded once, straight into its target buffer.

import { MalformedPacketError, MqttError } from './errors.js'

const encoder = new TextEncoder()
// fatal: reject ill-formed UTF-8 and encoded surrogates [MQTT-1.5.4-1]; ignoreBOM: U+FEFF is data [MQTT-1.5.4-3].
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Longest string, in UTF-16 units, written or read by a hand loop instead of TextEncoder/TextDecoder. */
const SHORT = 48

/**
 * UTF-8 byte length of `s`; throws on a lone surrogate [MQTT-1.5.4-1], U+0000 [MQTT-1.5.4-2] or more than
 * 65,535 bytes (the 2-byte length prefix).
 */
export function utf8Length(s: string): number {
  const n = s.length
  let len = n
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) {
      if (c === 0) throw new MqttError('INVALID_ARGUMENT', 'String contains U+0000 [MQTT-1.5.4-2]')
    } else if (c < 0x800) {
      len += 1
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0
      if (d < 0xdc00 || d > 0xdfff) throw new MqttError('INVALID_ARGUMENT', 'String contains a lone surrogate [MQTT-1.5.4-1]')
      len += 2 // a pair: 2 UTF-16 units, 4 bytes
      i++
    } else {
      len += 2
    }
  }
  if (len > 0xffff) throw new MqttError('INVALID_ARGUMENT', `String of ${len} bytes exceeds 65535 [MQTT-1.5.4]`)
  return len
}

/** Writes the 2-byte length and the UTF-8 bytes of `s` at `pos`; returns the position after it. */
export function writeUtf8(buf: Uint8Array, pos: number, s: string): number {
  const n = s.length
  const start = pos + 2
  let written = 0
  if (n <= SHORT) {
    for (; written < n; written++) {
      const c = s.charCodeAt(written)
      if (c >= 0x80) break
      buf[start + written] = c
    }
  }
  if (written !== n) written = encoder.encodeInto(s, buf.subarray(start)).written
  buf[pos] = written >>> 8
  buf[pos + 1] = written & 0xff
  return start + written
}

/** Decodes `buf[start, end)` as an MQTT UTF-8 string; throws MalformedPacketError if ill-formed or U+0000. */
export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  const n = end - start
  if (n <= SHORT) {
    let s = ''
    let i = start
    for (; i < end; i++) {
      const b = buf[i]!
      if (b >= 0x80 || b === 0) break
      s += String.fromCharCode(b)
    }
    if (i === end) return s
    if (buf[i] === 0) throw new MalformedPacketError('String contains U+0000 [MQTT-1.5.4-2]')
  }
  let s: string
  try {
    s = decoder.decode(buf.subarray(start, end))
  } catch (cause) {
    throw new MalformedPacketError('String is not well-formed UTF-8 [MQTT-1.5.4-1]', 'MALFORMED_PACKET', 0x81, cause)
  }
  if (s.indexOf('\u0000') !== -1) throw new MalformedPacketError('String contains U+0000 [MQTT-1.5.4-2]')
  return s
}
