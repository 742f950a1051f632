// Tables indexed by packet id hold memory for the ids in use only. Ids go round 1..65535 whatever the load, so
// a table that kept an array as long as the highest id it had seen grew to ~6 MB per client (outbound table,
// store keys, store arena) with one message in flight at a time.
import { describe, expect, it } from 'vitest'
import { IdMap } from '../src/id-map.js'
import { PacketArena } from '../src/packet-arena.js'
import { PAGE_SIZE, SlotPages, type Page } from '../src/slot-pages.js'

const pagesOf = (table: IdMap<unknown> | PacketArena): SlotPages<Page> => (table as unknown as { pages: SlotPages<Page> }).pages

describe('tables indexed by packet id', () => {
  it('IdMap: one message at a time through every id holds one page at most, and none once empty', () => {
    const map = new IdMap<string>()
    for (let round = 0; round < 2; round++) {
      for (let id = 1; id <= 65535; id++) {
        map.set(id, `m${id}`)
        expect(pagesOf(map).held).toBe(1)
        expect(map.get(id)).toBe(`m${id}`)
        map.delete(id)
      }
    }
    expect(pagesOf(map).held).toBe(0)
    expect(map.size).toBe(0)
  })

  it('IdMap: values on several pages, a page freed and made again, order kept across pages', () => {
    const map = new IdMap<number>()
    const ids = [PAGE_SIZE * 3 + 5, 1, PAGE_SIZE - 1, PAGE_SIZE, 0, 131071]
    ids.forEach((id, n) => map.set(id, n))
    expect(pagesOf(map).held).toBe(4) // pages 0, 1, 3 and 127
    expect([...map].map(([id]) => id)).toEqual(ids)
    map.delete(PAGE_SIZE * 3 + 5)
    expect(pagesOf(map).held).toBe(3)
    expect(map.get(PAGE_SIZE * 3 + 5)).toBeUndefined()
    map.set(PAGE_SIZE * 3 + 6, 99)
    expect([...map].map(([id, v]) => [id, v]).at(-1)).toEqual([PAGE_SIZE * 3 + 6, 99])
    expect(map.delete(7)).toBe(false)
    expect(pagesOf(map).held).toBe(4)
  })

  it('PacketArena: packets through every slot hold one page at most, and none once deleted', () => {
    const arena = new PacketArena(2 * 65536)
    const packet = new Uint8Array([1, 2, 3, 4])
    for (let slot = 1; slot < 2 * 65536; slot += 7) {
      arena.put(slot, packet)
      expect(arena.view(slot)).toEqual(packet)
      expect(pagesOf(arena).held).toBe(1)
      arena.delete(slot)
      expect(arena.view(slot)).toBeUndefined()
    }
    expect(pagesOf(arena).held).toBe(0)
  })
})
