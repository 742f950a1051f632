// Variable Byte Integer (MQTT 5 §1.5.5, 3.1.1 §2.2.3): 7 bits per byte, at most 4 bytes.

/** Largest value a Variable Byte Integer holds: the maximum Remaining Length. */
export const MAX_VARINT = 268_435_455

/** Number of bytes the Variable Byte Integer `n` (0..MAX_VARINT) takes. */
export function varintSize(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4
}

/** Writes `n` as a Variable Byte Integer at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n & 0x7f) | 0x80
    n >>>= 7
  }
  buf[pos] = n
  return pos + 1
}
