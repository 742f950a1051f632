import { describe, expect, it } from 'vitest'
import { MemoryStore } from '@isomqtt/store'

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill)

describe('MemoryStore keeps client packets in a shared arena', () => {
  it('keeps each packet intact while others are deleted and their space is reused', async () => {
    const store = new MemoryStore({ adopt: true })
    await store.open()
    // Enough 100-byte packets to fill several 16 KiB chunks, then delete every other one and put new ones.
    for (let id = 1; id <= 600; id++) store.putNow(`o.${id}`, bytes(100, id & 0xff))
    for (let id = 1; id <= 600; id += 2) store.delNow(`o.${id}`)
    for (let id = 1; id <= 600; id += 2) store.putNow(`i.${id}`, bytes(90, (id + 7) & 0xff))
    for (let id = 2; id <= 600; id += 2) expect(await store.get(`o.${id}`)).toEqual(bytes(100, id & 0xff))
    for (let id = 1; id <= 600; id += 2) expect(await store.get(`i.${id}`)).toEqual(bytes(90, (id + 7) & 0xff))
    expect(await store.get('o.1')).toBeUndefined()
    await store.close()
  })

  it('copies on put, so the caller may reuse its buffer, and a put replaces the packet in place of order', async () => {
    const store = new MemoryStore({ adopt: true })
    await store.open()
    const buf = bytes(10, 1)
    await store.put('o.5', buf)
    await store.put('o.6', bytes(3, 6))
    buf.fill(2)
    expect(await store.get('o.5')).toEqual(bytes(10, 1))
    await store.put('o.5', bytes(4, 5))
    expect(await store.get('o.5')).toEqual(bytes(4, 5))
    expect(await store.keys()).toEqual(['o.5', 'o.6'])
    await store.close()
  })

  it('rewinds an emptied arena without disturbing a later packet or a large one', async () => {
    const store = new MemoryStore()
    await store.open()
    const large = bytes(20_000, 0xab)
    store.putNow('o.1', bytes(64, 1))
    store.putNow('o.2', large)
    store.delNow('o.1')
    store.putNow('o.3', bytes(64, 3))
    store.putNow('i.65535', bytes(0, 0))
    expect(await store.get('o.2')).toEqual(large)
    expect(await store.get('o.3')).toEqual(bytes(64, 3))
    expect(await store.get('i.65535')).toEqual(new Uint8Array(0))
    expect(await store.keys()).toEqual(['o.2', 'o.3', 'i.65535'])
    await store.reset()
    expect(await store.get('o.2')).toBeUndefined()
    store.putNow('o.2', bytes(5, 9))
    expect(await store.get('o.2')).toEqual(bytes(5, 9))
    await store.close()
  })

  it('counts arena packets against maxEntries and maxBytes, and frees them on delete', async () => {
    const store = new MemoryStore({ maxEntries: 2, maxBytes: 10 })
    await store.open()
    store.putNow('o.1', bytes(4, 1))
    store.putNow('i.1', new Uint8Array(0))
    expect(() => store.putNow('o.2', bytes(1, 2))).toThrow(expect.objectContaining({ code: 'STORE_FULL' }))
    store.delNow('i.1')
    expect(() => store.putNow('o.2', bytes(7, 2))).toThrow(expect.objectContaining({ code: 'STORE_FULL' }))
    store.putNow('o.2', bytes(6, 2))
    store.putNow('o.1', bytes(3, 1))
    expect(await store.get('o.1')).toEqual(bytes(3, 1))
    await store.close()
  })

  it('putOutNow / delOutNow (the client calls them by packet id) are putNow / delNow of o.<id>: order, replacement, quota', async () => {
    const store = new MemoryStore()
    await store.open()
    store.putNow('x', bytes(1, 0))
    store.putOutNow(7, bytes(5, 7))
    store.putNow('i.3', bytes(2, 3))
    store.putOutNow(2, bytes(4, 2))
    store.putOutNow(7, bytes(6, 8)) // replaces, keeping its place in first-put order
    expect(await store.keys()).toEqual(['x', 'o.7', 'i.3', 'o.2'])
    expect(await store.get('o.7')).toEqual(bytes(6, 8))
    store.delOutNow(7)
    store.delOutNow(9) // not held: nothing happens
    expect(await store.keys()).toEqual(['x', 'i.3', 'o.2'])
    // Not a packet id: kept under its key like any other.
    store.putOutNow(1.5, bytes(1, 5))
    expect(await store.get('o.1.5')).toEqual(bytes(1, 5))
    store.delOutNow(1.5)
    expect(await store.keys()).toEqual(['x', 'i.3', 'o.2'])
    await store.close()
    expect(() => store.putOutNow(1, bytes(1, 1))).toThrow(expect.objectContaining({ code: 'CLOSED' }))

    const limited = new MemoryStore({ maxEntries: 1 })
    await limited.open()
    limited.putOutNow(1, bytes(2, 1))
    expect(() => limited.putOutNow(2, bytes(2, 2))).toThrow(expect.objectContaining({ code: 'STORE_FULL' }))
    limited.delOutNow(1)
    limited.putOutNow(2, bytes(2, 2))
    expect(await limited.keys()).toEqual(['o.2'])
    await limited.close()
  })
})
