// The behaviour every Store must show, run against each implementation. Only describe/it/expect are used
// so the suite can run under another runner (e.g. in Chromium) with those three supplied.

import { describe, expect, it } from 'vitest'
import { StoreError, type Store, type StoreOptions, type StoreTransform } from '@isomqtt/store'

/** Makes a store at `location`: the same location means the same data for persistent stores. */
export type MakeStore = (location: string, options?: StoreOptions) => Store

let counter = 0
const newLocation = () => `contract-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${counter++}`
const bytes = (...values: number[]) => Uint8Array.from(values)
const text = (s: string) => new TextEncoder().encode(s)

async function opened(make: MakeStore, location: string, options?: StoreOptions): Promise<Store> {
  const store = make(location, options)
  await store.open()
  return store
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<StoreError> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(StoreError)
  expect((err as StoreError).code).toBe(code)
  return err as StoreError
}

const xor: StoreTransform = { encode: (b) => b.map((x) => x ^ 0x5a), decode: (b) => b.map((x) => x ^ 0x5a) }
const asyncXor: StoreTransform = {
  encode: async (b) => { await new Promise((r) => setTimeout(r, Math.random() * 3)); return b.map((x) => x ^ 0xa5) },
  decode: async (b) => b.map((x) => x ^ 0xa5),
}

/** Registers the contract tests for one store implementation. */
export function storeContract(name: string, make: MakeStore, { persistent }: { persistent: boolean }): void {
  describe(`${name} store contract`, () => {
    it('returns what was put, and undefined for a missing key', async () => {
      const store = await opened(make, newLocation())
      await store.put('o.1', text('hello'))
      expect(await store.get('o.1')).toEqual(text('hello'))
      expect(await store.get('o.2')).toBeUndefined()
      await store.put('i.2', new Uint8Array(0))
      expect(await store.get('i.2')).toEqual(new Uint8Array(0))
      await store.close()
    })

    it('lists keys in first-put order; an overwrite keeps its place and a re-put after del goes last', async () => {
      const store = await opened(make, newLocation())
      for (const key of ['o.3', 'i.1', 'o.1', 'o.2']) await store.put(key, text(key))
      await store.put('i.1', text('new'))
      expect(await store.keys()).toEqual(['o.3', 'i.1', 'o.1', 'o.2'])
      expect(await store.get('i.1')).toEqual(text('new'))
      await store.del('o.3')
      await store.put('o.3', text('again'))
      expect(await store.keys()).toEqual(['i.1', 'o.1', 'o.2', 'o.3'])
      await store.close()
    })

    it('keeps call order for 1,000 concurrent puts, overwrites and deletes', async () => {
      const store = await opened(make, newLocation())
      const keys = Array.from({ length: 1000 }, (_, i) => `o.${(i * 7919) % 65535}`)
      const ops: Promise<void>[] = keys.map((key, i) => store.put(key, text(`v${i}`)))
      ops.push(store.put(keys[10]!, text('over')), store.del(keys[20]!))
      await Promise.all(ops)
      expect(await store.keys()).toEqual(keys.filter((_, i) => i !== 20))
      expect(await store.get(keys[10]!)).toEqual(text('over'))
      expect(await store.get(keys[999]!)).toEqual(text('v999'))
      await store.close()
    })

    it('deletes, and deleting a missing key does nothing', async () => {
      const store = await opened(make, newLocation())
      await store.put('o.1', bytes(1))
      await store.del('o.1')
      await store.del('o.404')
      expect(await store.get('o.1')).toBeUndefined()
      expect(await store.keys()).toEqual([])
      await store.close()
    })

    it('forgets everything on reset and stays usable', async () => {
      const store = await opened(make, newLocation())
      await store.put('o.1', bytes(1))
      await store.put('i.1', bytes(2))
      await store.reset()
      expect(await store.keys()).toEqual([])
      expect(await store.get('o.1')).toBeUndefined()
      await store.put('o.9', bytes(9))
      expect(await store.keys()).toEqual(['o.9'])
      await store.close()
    })

    it('hands out copies: changing a returned or a resolved input buffer changes nothing kept', async () => {
      const store = await opened(make, newLocation())
      const packet = bytes(1, 2, 3)
      await store.put('o.1', packet)
      packet[0] = 99
      const got = (await store.get('o.1'))!
      got[1] = 99
      expect(await store.get('o.1')).toEqual(bytes(1, 2, 3))
      await store.close()
    })

    it('keeps its contents across close() and open() of the same instance', async () => {
      const store = await opened(make, newLocation())
      await store.put('o.2', bytes(2))
      await store.put('o.1', bytes(1))
      await store.close()
      await store.open()
      expect(await store.keys()).toEqual(['o.2', 'o.1'])
      expect(await store.get('o.1')).toEqual(bytes(1))
      await store.close()
    })

    if (persistent) {
      it('finds its data, order, overwrites and deletions again in a new instance', async () => {
        const location = newLocation()
        const first = await opened(make, location)
        for (let i = 0; i < 50; i++) await first.put(`o.${i}`, text(`p${i}`))
        await first.put('o.10', text('overwritten'))
        await first.del('o.20')
        void first.put('o.99', text('accepted before close'))
        await first.close()
        const second = await opened(make, location)
        const expected = Array.from({ length: 50 }, (_, i) => `o.${i}`).filter((k) => k !== 'o.20')
        expect(await second.keys()).toEqual([...expected, 'o.99'])
        expect(await second.get('o.10')).toEqual(text('overwritten'))
        expect(await second.get('o.49')).toEqual(text('p49'))
        expect(await second.get('o.99')).toEqual(text('accepted before close'))
        await second.put('o.1', text('after reopen'))
        expect((await second.keys())[1]).toBe('o.1')
        await second.close()
      })

      it('stays empty after a reset, in a new instance', async () => {
        const location = newLocation()
        const first = await opened(make, location)
        await first.put('o.1', bytes(1))
        await first.reset()
        await first.put('o.2', bytes(2))
        await first.close()
        const second = await opened(make, location)
        expect(await second.keys()).toEqual(['o.2'])
        await second.close()
      })
    }

    it('rejects use before open with NOT_OPEN and after close with CLOSED', async () => {
      const store = make(newLocation())
      await rejectsWith(store.put('o.1', bytes(1)), 'NOT_OPEN')
      await rejectsWith(store.keys(), 'NOT_OPEN')
      await store.open()
      await store.open()
      await store.put('o.1', bytes(1))
      await store.close()
      await store.close()
      await rejectsWith(store.put('o.2', bytes(2)), 'CLOSED')
      await rejectsWith(store.get('o.1'), 'CLOSED')
      await rejectsWith(store.keys(), 'CLOSED')
      await rejectsWith(store.del('o.1'), 'CLOSED')
      await rejectsWith(store.reset(), 'CLOSED')
    })

    it('rejects bad keys and packets with INVALID_ARGUMENT', async () => {
      const store = await opened(make, newLocation())
      await rejectsWith(store.put('', bytes(1)), 'INVALID_ARGUMENT')
      await rejectsWith(store.put('x'.repeat(5000), bytes(1)), 'INVALID_ARGUMENT')
      await rejectsWith(store.put(7 as unknown as string, bytes(1)), 'INVALID_ARGUMENT')
      await rejectsWith(store.put('o.1', 'text' as unknown as Uint8Array), 'INVALID_ARGUMENT')
      expect(await store.keys()).toEqual([])
      await store.close()
    })

    it('rejects a put beyond maxEntries with STORE_FULL and stores nothing; an overwrite still fits', async () => {
      const store = await opened(make, newLocation(), { maxEntries: 2 })
      await store.put('o.1', bytes(1))
      await store.put('o.2', bytes(2))
      const err = await rejectsWith(store.put('o.3', bytes(3)), 'STORE_FULL')
      expect(err.message).toMatch(/maxEntries/)
      expect(await store.keys()).toEqual(['o.1', 'o.2'])
      expect(await store.get('o.3')).toBeUndefined()
      await store.put('o.1', bytes(1, 1, 1))
      await store.del('o.2')
      await store.put('o.3', bytes(3))
      expect(await store.keys()).toEqual(['o.1', 'o.3'])
      await store.close()
    })

    it('rejects a put beyond maxBytes with STORE_FULL; an overwrite counts only its size change', async () => {
      const loc = newLocation()
      const store = await opened(make, loc, { maxBytes: 10 })
      await store.put('o.1', new Uint8Array(6))
      await rejectsWith(store.put('o.2', new Uint8Array(5)), 'STORE_FULL')
      await store.put('o.1', new Uint8Array(10))
      await rejectsWith(store.put('o.1', new Uint8Array(11)), 'STORE_FULL')
      expect(await store.get('o.1')).toEqual(new Uint8Array(10))
      await store.put('o.1', new Uint8Array(4))
      await store.put('o.2', new Uint8Array(6))
      expect(await store.keys()).toEqual(['o.1', 'o.2'])
      await store.reset()
      await store.put('o.3', new Uint8Array(10))
      await store.close()
      if (persistent) {
        const again = await opened(make, loc, { maxBytes: 10 })
        await rejectsWith(again.put('o.4', new Uint8Array(1)), 'STORE_FULL')
        await again.close()
      }
    })

    for (const [label, transform] of [['sync', xor], ['async', asyncXor]] as const) {
      it(`applies a ${label} transform to what is kept and undoes it on get`, async () => {
        const seen: Uint8Array[] = []
        const spy: StoreTransform = { encode: transform.encode, decode: (b) => (seen.push(b.slice()), transform.decode(b)) }
        const loc = newLocation()
        const store = await opened(make, loc, { transform: spy })
        const ops = Array.from({ length: 20 }, (_, i) => store.put(`o.${i}`, text(`secret ${i}`)))
        ops.push(store.put('o.3', text('secret 3b')))
        await Promise.all(ops)
        expect(await store.keys()).toEqual(Array.from({ length: 20 }, (_, i) => `o.${i}`))
        await store.close()
        await store.open()
        expect(await store.get('o.3')).toEqual(text('secret 3b'))
        expect(seen.at(-1)).toEqual(await transform.encode(text('secret 3b')))
        await store.close()
        if (persistent) {
          const raw = await opened(make, loc)
          expect(await raw.get('o.5')).toEqual(await transform.encode(text('secret 5')))
          await raw.close()
        }
      })
    }

    it('rejects with TRANSFORM_FAILED when a hook fails, storing nothing', async () => {
      const failing: StoreTransform = {
        encode: (b) => { if (b[0] === 0) throw new Error('no'); return b },
        decode: async () => { throw new Error('bad key') },
      }
      const store = await opened(make, newLocation(), { transform: failing, maxEntries: 1 })
      const err = await rejectsWith(store.put('o.1', bytes(0)), 'TRANSFORM_FAILED')
      expect(err.cause).toBeInstanceOf(Error)
      expect(await store.keys()).toEqual([])
      await store.put('o.2', bytes(1))
      await store.close()
      await store.open()
      await rejectsWith(store.get('o.2'), 'TRANSFORM_FAILED')
      await store.close()
    })
  })
}
