// The MemoryStore's key table keeps a Map's semantics whether a key is one of the client's (`o.<id>`,
// `i.<id>`, kept by id) or any other: first-put order, a re-put keeps its place, a delete forgets it.
import { describe, expect, it } from 'vitest'
import { IdMap } from '../src/id-map.js'
import { KeyTable } from '../src/key-table.js'

describe('MemoryStore key table', () => {
  it('lists client keys and other keys together in first-put order, like a Map', () => {
    const t = new KeyTable<number>()
    const m = new Map<string, number>()
    const ops: Array<[string, number | undefined]> = [
      ['o.5', 1], ['x', 2], ['i.3', 3], ['o.1', 4], ['o.65535', 5], ['o.65536', 6], ['o.05', 7], ['o.0', 8],
      ['i.3', 9], ['o.5', undefined], ['a.7', 10], ['o.5', 11], ['x', undefined], ['x', 12], ['i.', 13], ['o.1x', 14],
    ]
    for (const [key, value] of ops) {
      if (value === undefined) { t.delete(key); m.delete(key) } else { t.set(key, value); m.set(key, value) }
      expect(t.keys()).toEqual([...m.keys()])
      expect(t.size).toBe(m.size)
    }
    for (const key of m.keys()) expect(t.get(key)).toBe(m.get(key))
    expect(t.get('o.05')).toBe(7)
    expect(t.get('o.5')).toBe(11)
    expect(t.values().sort((a, b) => a - b)).toEqual([...m.values()].sort((a, b) => a - b))
    t.clear()
    expect(t.keys()).toEqual([])
    expect(t.size).toBe(0)
    expect(t.get('o.1')).toBeUndefined()
  })

  it('keeps replay order over id wrap-around and heavy churn', () => {
    const t = new KeyTable<number>()
    const m = new Map<string, number>()
    let id = 65_000
    for (let i = 0; i < 5_000; i++) {
      const key = `o.${id}`
      t.set(key, i); m.set(key, i)
      if (i % 3 === 0) { const oldest = m.keys().next().value!; t.delete(oldest); m.delete(oldest) }
      id = id === 65535 ? 1 : id + 1
    }
    expect(t.keys()).toEqual([...m.keys()])
  })

  it('IdMap iterates in insertion order and lets a loop delete what it visits, like a Map', () => {
    const ids = new IdMap<string>()
    const m = new Map<number, string>()
    for (const id of [9, 2, 65535, 1, 2, 40000]) { ids.set(id, `v${id}`); m.set(id, `v${id}`) }
    ids.delete(65535); m.delete(65535)
    ids.set(65535, 'again'); m.set(65535, 'again')
    expect([...ids]).toEqual([...m])
    expect(ids.size).toBe(m.size)
    expect(ids.has(2) && !ids.has(3)).toBe(true)
    const visited: number[] = []
    for (const [id] of ids) { visited.push(id); ids.delete(id) }
    expect(visited).toEqual([...m.keys()])
    expect(ids.size).toBe(0)
    expect([...ids]).toEqual([])
  })
})
