// Encoding: validate and size a packet once, then write it into one exactly-sized Uint8Array.

import { MqttError } from './errors.js'
import { measure, reserveSlots } from './encode-measure.js'
import { write } from './encode-write.js'
import type { Packet, ProtocolVersion } from './packets.js'

function checkVersion(version: ProtocolVersion): void {
  if (version !== 4 && version !== 5 && version !== 3) {
    throw new MqttError('INVALID_ARGUMENT', `Protocol version must be 3, 4 or 5, got ${String(version)}`)
  }
}

/** Encodes `packet` for protocol `version` into one buffer of exactly its wire size. Throws MqttError. */
export function encode(packet: Packet, version: ProtocolVersion): Uint8Array {
  checkVersion(version)
  const size = measure(packet, version, 0)
  const buf = new Uint8Array(size)
  write(buf, 0, packet, version, 0)
  return buf
}

/** Encodes several packets back to back into one buffer, for a single write to the transport. */
export function encodeMany(packets: readonly Packet[], version: ProtocolVersion): Uint8Array {
  checkVersion(version)
  const n = packets.length
  reserveSlots(n)
  let size = 0
  for (let i = 0; i < n; i++) size += measure(packets[i]!, version, i * 3)
  const buf = new Uint8Array(size)
  let pos = 0
  for (let i = 0; i < n; i++) pos = write(buf, pos, packets[i]!, version, i * 3)
  return buf
}

/** The full wire size of `packet` (fixed header included), e.g. to check a Maximum Packet Size. */
export function encodedLength(packet: Packet, version: ProtocolVersion): number {
  checkVersion(version)
  return measure(packet, version, 0)
}
