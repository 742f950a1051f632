import { describe, expect, it } from 'vitest'
import { MemoryStore } from '@isomqtt/store'

describe('MemoryStore adopt option and synchronous calls', () => {
  it('keeps an adopted buffer as given, hands out copies, and still counts and forgets it', async () => {
    const store = new MemoryStore({ adopt: true, maxBytes: 5 })
    await store.open()
    const packet = new Uint8Array([1, 2, 3])
    await store.put('o.1', packet)
    const got = (await store.get('o.1'))!
    expect(got).toEqual(new Uint8Array([1, 2, 3]))
    got[0] = 9
    expect(await store.get('o.1')).toEqual(new Uint8Array([1, 2, 3]))
    await expect(store.put('o.2', new Uint8Array(3))).rejects.toMatchObject({ code: 'STORE_FULL' })
    await store.del('o.1')
    await store.put('o.2', new Uint8Array(3))
    expect(await store.keys()).toEqual(['o.2'])
    await store.close()
    await expect(store.put('o.3', packet)).rejects.toMatchObject({ code: 'CLOSED' })
    await expect(store.del('o.2')).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it('putNow/delNow work at once without a transform and decline (false, nothing done) with one', async () => {
    const plain = new MemoryStore()
    await plain.open()
    expect(plain.putNow('o.1', new Uint8Array([1]))).toBe(true)
    expect(await plain.keys()).toEqual(['o.1'])
    expect(plain.delNow('o.1')).toBe(true)
    expect(await plain.keys()).toEqual([])
    const transformed = new MemoryStore({ transform: { encode: (b) => b, decode: (b) => b } })
    await transformed.open()
    expect(transformed.putNow('o.1', new Uint8Array([1]))).toBe(false)
    expect(await transformed.keys()).toEqual([])
    await plain.close()
    expect(() => plain.putNow('o.2', new Uint8Array([2]))).toThrow(expect.objectContaining({ code: 'CLOSED' }))
  })

  it('keysNow lists what keys() lists, in first-put order, at once; sizeNow counts them', async () => {
    const store = new MemoryStore()
    await store.open()
    expect(store.keysNow()).toEqual([])
    expect(store.sizeNow()).toBe(0)
    await store.put('o.2', new Uint8Array([2]))
    store.putNow('i.1', new Uint8Array([1]))
    store.putNow('meta', new Uint8Array([3]))
    expect(store.keysNow()).toEqual(['o.2', 'i.1', 'meta'])
    expect(await store.keys()).toEqual(store.keysNow())
    expect(store.sizeNow()).toBe(3)
    store.delNow('o.2')
    expect(store.sizeNow()).toBe(2)
    await store.close()
    expect(() => store.keysNow()).toThrow(expect.objectContaining({ code: 'CLOSED' }))
    expect(() => store.sizeNow()).toThrow(expect.objectContaining({ code: 'CLOSED' }))
  })
})
