// Encoding: validate and size a packet once, then write it into one exactly-sized Uint8Array.

import { MqttError } from './errors.js'
import { measure, reserveSlots } from './encode-measure.js'
import { write } from './encode-write.js'
import type { Packet, ProtocolVersion } from './packets.js'

// Allocating a Uint8Array over 64 bytes costs V8 about half a microsecond (a fresh, zeroed ArrayBuffer),
// more than encoding a small packet. Like Node's Buffer pool, packets from 65 bytes to SLAB_MAX are carved
// out of a shared slab that is never reused: the result is exactly sized, but its `.buffer` is the slab
// (up to SLAB_SIZE), which a caller that structured-clones it (IndexedDB, postMessage) should slice().
const SLAB_SIZE = 16 * 1024
const SLAB_MAX = 2 * 1024
const ON_HEAP_MAX = 64
let slab = new Uint8Array(SLAB_SIZE)
let slabPos = 0

function allocate(size: number): Uint8Array {
  if (size <= ON_HEAP_MAX || size > SLAB_MAX) return new Uint8Array(size)
  if (slabPos + size > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE)
    slabPos = 0
  }
  const buf = new Uint8Array(slab.buffer, slabPos, size)
  slabPos = (slabPos + size + 7) & ~7 // keep each packet 8-byte aligned
  return buf
}

function checkVersion(version: ProtocolVersion): void {
  if (version !== 4 && version !== 5 && version !== 3) {
    throw new MqttError('INVALID_ARGUMENT', `Protocol version must be 3, 4 or 5, got ${String(version)}`)
  }
}

/** Encodes `packet` for protocol `version` into one Uint8Array of exactly its wire size. Throws MqttError. */
export function encode(packet: Packet, version: ProtocolVersion): Uint8Array {
  checkVersion(version)
  const size = measure(packet, version, 0)
  const buf = allocate(size)
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
  const buf = allocate(size)
  let pos = 0
  for (let i = 0; i < n; i++) pos = write(buf, pos, packets[i]!, version, i * 3)
  return buf
}

/**
 * Encodes `packet` into `target` at `offset` when it fits: returns the offset after it, or -1 with nothing
 * written when it does not. For callers batching packets into a buffer of their own (no buffer per packet).
 */
export function encodeInto(packet: Packet, version: ProtocolVersion, target: Uint8Array, offset: number): number {
  checkVersion(version)
  const size = measure(packet, version, 0)
  if (offset + size > target.length) return -1
  return write(target, offset, packet, version, 0)
}

/** The full wire size of `packet` (fixed header included), e.g. to check a Maximum Packet Size. */
export function encodedLength(packet: Packet, version: ProtocolVersion): number {
  checkVersion(version)
  return measure(packet, version, 0)
}
