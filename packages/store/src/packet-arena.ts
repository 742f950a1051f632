// Packet bytes by slot, copied into shared chunks. The MemoryStore keeps the client's `o.<id>` / `i.<id>`
// packets here: a Uint8Array per stored packet costs ~96 B of object on top of its bytes, and with tens of
// thousands of QoS 1 messages in flight those objects are most of what a young-generation GC has to copy.
// Here a packet costs its bytes, a chunk reference and two numbers in typed arrays.
//
// Memory stays bounded: a chunk is dropped when its last packet is deleted, and the chunk being filled is
// rewound when it empties (the steady publish/acknowledge cycle then reuses one chunk). A single packet keeps
// at most one chunk alive (CHUNK bytes), as a view into the codec's slab did before. Packets above BIG get
// a chunk of their own, so a large packet never pins more than itself.

const CHUNK = 16 * 1024
const BIG = CHUNK / 4
/** Shared until the first put: a typed array costs a backing store even when empty. */
const NONE = new Uint32Array(0)

interface Chunk {
  readonly bytes: Uint8Array
  /** Packets in it that are not deleted. */
  live: number
  /** Where the next packet goes. */
  pos: number
}

/** Packet bytes by slot number (0..maxSlots-1); a put copies, a get returns a view to copy before the next put. */
export class PacketArena {
  private chunkOf: Array<Chunk | undefined> = []
  private offsets = NONE
  private lengths = NONE
  private current: Chunk | undefined

  constructor(private readonly maxSlots: number) {}

  /** Copies `bytes` in under `slot`, replacing what was there. */
  put(slot: number, bytes: Uint8Array): void {
    if (slot < 0 || slot >= this.maxSlots) throw new RangeError(`slot ${slot} out of range`)
    this.delete(slot)
    const n = bytes.length
    let chunk: Chunk
    if (n > BIG) {
      chunk = { bytes: new Uint8Array(n), live: 0, pos: 0 }
    } else {
      chunk = this.current ??= { bytes: new Uint8Array(CHUNK), live: 0, pos: 0 }
      if (chunk.pos + n > CHUNK) chunk = this.current = { bytes: new Uint8Array(CHUNK), live: 0, pos: 0 }
    }
    if (slot >= this.offsets.length) this.grow(slot)
    chunk.bytes.set(bytes, chunk.pos)
    this.offsets[slot] = chunk.pos
    this.lengths[slot] = n
    this.chunkOf[slot] = chunk
    chunk.pos += n
    chunk.live++
  }

  /** The bytes under `slot` (a view into the arena: copy it before the next put or delete), or undefined. */
  view(slot: number): Uint8Array | undefined {
    const chunk = this.chunkOf[slot]
    if (chunk === undefined) return undefined
    const start = this.offsets[slot]!
    return chunk.bytes.subarray(start, start + this.lengths[slot]!)
  }

  /** The length of the packet under `slot`, or undefined. */
  sizeOf(slot: number): number | undefined {
    return this.chunkOf[slot] === undefined ? undefined : this.lengths[slot]
  }

  /** Forgets `slot`; its chunk goes when it holds nothing else (the current one is rewound instead). */
  delete(slot: number): void {
    const chunk = this.chunkOf[slot]
    if (chunk === undefined) return
    this.chunkOf[slot] = undefined
    if (--chunk.live === 0 && chunk === this.current) chunk.pos = 0
  }

  /** Forgets everything. */
  clear(): void {
    this.chunkOf = []
    this.offsets = NONE
    this.lengths = NONE
    this.current = undefined
  }

  private grow(slot: number): void {
    let size = Math.max(1024, this.offsets.length * 2)
    while (size <= slot) size *= 2
    size = Math.min(size, this.maxSlots)
    const offsets = new Uint32Array(size)
    offsets.set(this.offsets)
    const lengths = new Uint32Array(size)
    lengths.set(this.lengths)
    this.offsets = offsets
    this.lengths = lengths
  }
}
