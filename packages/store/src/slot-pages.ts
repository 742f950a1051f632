// Tables indexed by a packet id or a client slot (up to 131071), kept in pages of 1024 slots that exist only
// while they hold something. One array per table indexed directly by id grew, over a client's life, to the
// highest id it had seen: ids go round 1..65535 whatever the load, so a client publishing one message at a
// time ended up holding ~6 MB of such arrays (outbound table, store keys, store arena), and a sparse jump (an
// id from the other end of the range) would turn a plain array into a slow dictionary. With pages, memory
// follows the ids in use, and every page is a small dense array.

const PAGE_BITS = 10
/** Slots per page. */
export const PAGE_SIZE = 1 << PAGE_BITS
const SLOT_MASK = PAGE_SIZE - 1

/** A page: `live` counts the slots in it that hold something; the rest is the table's own columns. */
export interface Page {
  live: number
}

/** The index of `slot` within its page. */
export const slotIndex = (slot: number): number => slot & SLOT_MASK

/** Pages of slots, made on first use and dropped when their last slot is freed. */
export class SlotPages<P extends Page> {
  private pages: Array<P | undefined> = []
  /** Pages held. */
  held = 0

  /** `make` returns an empty page (live 0, its columns sized PAGE_SIZE). */
  constructor(private readonly make: () => P) {}

  /** The page holding `slot`, or undefined when none of its slots holds anything. */
  pageOf(slot: number): P | undefined {
    return this.pages[slot >>> PAGE_BITS]
  }

  /** The page holding `slot`, made when missing. */
  pageFor(slot: number): P {
    const n = slot >>> PAGE_BITS
    const page = this.pages[n]
    if (page !== undefined) return page
    this.held++
    return (this.pages[n] = this.make())
  }

  /** A slot of `page` (which holds `slot`) was freed: the page goes once it holds nothing. */
  freed(slot: number, page: P): void {
    if (--page.live === 0) {
      this.pages[slot >>> PAGE_BITS] = undefined
      this.held--
    }
  }

  /** Calls `fn` for every page in slot order, with the slot number of its first slot. */
  forEach(fn: (page: P, base: number) => void): void {
    const pages = this.pages
    for (let i = 0; i < pages.length; i++) {
      const page = pages[i]
      if (page !== undefined) fn(page, i << PAGE_BITS)
    }
  }

  /** Drops every page. */
  clear(): void {
    this.pages = []
    this.held = 0
  }
}
