// Packet bytes by slot, copied into shared chunks. The MemoryStore keeps the client's `o.<id>` / `i.<id>`
// packets here: a Uint8Array per stored packet costs ~96 B of object on top of its bytes, and with tens of
// thousands of QoS 1 messages in flight those objects are most of what a young-generation GC has to copy.
// Here a packet costs its bytes, a chunk reference and one small integer.
//
// Memory stays bounded: a chunk is dropped when its last packet is deleted, and the chunk being filled is
// rewound when it empties (the steady publish/acknowledge cycle then reuses one chunk); the slot tables keep
// pages only for slots in use. A single packet keeps at most one chunk alive (CHUNK bytes), as a view into the
// codec's slab did before. Packets above BIG get a chunk of their own, so a large packet never pins more than
// itself.

import { PAGE_SIZE, slotIndex, SlotPages, type Page } from './slot-pages.js'

const CHUNK = 16 * 1024
const BIG = CHUNK / 4

interface Chunk {
  readonly bytes: Uint8Array
  /** Packets in it that are not deleted. */
  live: number
  /** Where the next packet goes. */
  pos: number
}

/** One page of the arena: per slot, its chunk and its place in it. */
interface ArenaPage extends Page {
  chunks: Array<Chunk | undefined>
  /** Start << 13 | length of a packet in a shared chunk (both fit: CHUNK is 2^14, BIG 2^12); -1 for its own chunk. */
  places: number[]
}

const newArenaPage = (): ArenaPage => ({ live: 0, chunks: new Array<Chunk | undefined>(PAGE_SIZE), places: new Array<number>(PAGE_SIZE) })

/** Packet bytes by slot number (0..maxSlots-1); a put copies, a get returns a view to copy before the next put. */
export class PacketArena {
  private readonly pages = new SlotPages<ArenaPage>(newArenaPage)
  private current: Chunk | undefined

  constructor(private readonly maxSlots: number) {}

  /** Copies `bytes` in under `slot`, replacing what was there. */
  put(slot: number, bytes: Uint8Array): void {
    if (slot < 0 || slot >= this.maxSlots) throw new RangeError(`slot ${slot} out of range`)
    const page = this.pages.pageFor(slot)
    const i = slotIndex(slot)
    const previous = page.chunks[i]
    if (previous === undefined) page.live++
    else this.release(previous)
    const n = bytes.length
    let chunk: Chunk
    if (n > BIG) {
      chunk = { bytes: bytes.slice(), live: 1, pos: n }
      page.places[i] = -1
    } else {
      chunk = this.current ??= { bytes: new Uint8Array(CHUNK), live: 0, pos: 0 }
      if (chunk.pos + n > CHUNK) chunk = this.current = { bytes: new Uint8Array(CHUNK), live: 0, pos: 0 }
      chunk.bytes.set(bytes, chunk.pos)
      page.places[i] = (chunk.pos << 13) | n
      chunk.pos += n
      chunk.live++
    }
    page.chunks[i] = chunk
  }

  /** The bytes under `slot` (a view into the arena: copy it before the next put or delete), or undefined. */
  view(slot: number): Uint8Array | undefined {
    const page = this.pages.pageOf(slot)
    const i = slotIndex(slot)
    const chunk = page?.chunks[i]
    if (chunk === undefined) return undefined
    const place = page!.places[i]!
    if (place < 0) return chunk.bytes
    const start = place >>> 13
    return chunk.bytes.subarray(start, start + (place & 0x1fff))
  }

  /** Forgets `slot`; its chunk goes when it holds nothing else (the current one is rewound instead). */
  delete(slot: number): void {
    const page = this.pages.pageOf(slot)
    const i = slotIndex(slot)
    const chunk = page?.chunks[i]
    if (chunk === undefined) return
    page!.chunks[i] = undefined
    this.pages.freed(slot, page!)
    this.release(chunk)
  }

  /** A packet in `chunk` is gone: the chunk being filled is rewound once it holds nothing. */
  private release(chunk: Chunk): void {
    if (--chunk.live === 0 && chunk === this.current) chunk.pos = 0
  }

  /** Forgets everything. */
  clear(): void {
    this.pages.clear()
    this.current = undefined
  }
}
