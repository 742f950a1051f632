// Compaction: once dead records outweigh live ones the log is rewritten to its live records, in replay
// order, and atomically renamed over the old one.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { FileStore, type TraceEntry } from '@isomqtt/store'
import { compactLog } from '../src/file-compaction.js'
import { openLog } from '../src/file-log.js'

const root = mkdtempSync(join(tmpdir(), 'isomqtt-compact-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const packet = (n: number, v = 0) => new Uint8Array(200).fill((n + v) & 0xff)

it('shrinks the log once dead records dominate, keeping order, overwrites and reads during compaction', async () => {
  const dir = join(root, 'client')
  const log = join(dir, 'store.log')
  const traces: TraceEntry[] = []
  let compactedEvent!: () => void
  const compactedOnce = new Promise<void>((resolve) => (compactedEvent = resolve))
  const trace = (entry: TraceEntry) => {
    traces.push(entry)
    if (entry.message.startsWith('compacted')) compactedEvent()
  }
  const store = new FileStore(dir, { compactMinBytes: 16 * 1024, trace })
  await store.open()
  await Promise.all(Array.from({ length: 300 }, (_, n) => store.put(`o.${n}`, packet(n))))
  const kept = Array.from({ length: 300 }, (_, n) => n).filter((n) => n % 30 === 7)
  // overwritten in reverse, so their records lie in the log in the opposite of replay order
  await Promise.all([...kept].reverse().map((n) => store.put(`o.${n}`, packet(n, 1))))
  const full = statSync(log).size
  expect(full).toBeGreaterThan(300 * 200)

  // deletes and gets race with the compaction their commit triggers
  const deletes = Array.from({ length: 300 }, (_, n) => n).filter((n) => !kept.includes(n)).map((n) => store.del(`o.${n}`))
  const reads = kept.map((n) => store.get(`o.${n}`))
  await Promise.all(deletes)
  expect(await Promise.all(reads)).toEqual(kept.map((n) => packet(n, 1)))
  // compaction runs after the deletes are acknowledged, so it never delays them
  await compactedOnce

  const compacted = statSync(log).size
  expect(compacted).toBeLessThan(kept.length * 260)
  expect(existsSync(join(dir, 'store.log.tmp'))).toBe(false)
  expect(await store.keys()).toEqual(kept.map((n) => `o.${n}`))

  await store.put('o.1000', packet(1000))
  await store.put(`o.${kept[0]}`, packet(kept[0]!, 2))
  await store.close()
  const again = new FileStore(dir)
  await again.open()
  expect(await again.keys()).toEqual([...kept.map((n) => `o.${n}`), 'o.1000'])
  expect(await again.get(`o.${kept[0]}`)).toEqual(packet(kept[0]!, 2))
  expect(await again.get(`o.${kept[1]}`)).toEqual(packet(kept[1]!, 1))
  await again.close()
})

it('leaves a small log alone even when all of it is dead', async () => {
  const dir = join(root, 'small')
  const store = new FileStore(dir)
  await store.open()
  for (let n = 0; n < 20; n++) await store.put(`o.${n}`, packet(n))
  for (let n = 0; n < 20; n++) await store.del(`o.${n}`)
  const size = statSync(join(dir, 'store.log')).size
  expect(size).toBeGreaterThan(20 * 200)
  await store.close()
})

it('compacts record by record, to the same result, when the live data is too large to hold in memory', async () => {
  const dir = join(root, 'large')
  const store = new FileStore(dir)
  await store.open()
  await Promise.all(Array.from({ length: 100 }, (_, n) => store.put(`o.${n}`, packet(n))))
  await Promise.all(Array.from({ length: 100 }, (_, n) => (n % 4 === 0 ? store.put(`o.${99 - n}`, packet(n, 5)) : store.del(`o.${n}`))))
  const expected = await store.keys()
  const values = await Promise.all(expected.map((key) => store.get(key)))
  await store.close()

  const log = await openLog(dir, () => {})
  const result = await compactLog(dir, log.fh, log.size, log.live, 0)
  await log.fh.close()
  await result.fh.close()
  expect(statSync(join(dir, 'store.log')).size).toBe(result.size)

  const again = new FileStore(dir)
  await again.open()
  expect(await again.keys()).toEqual(expected)
  expect(await Promise.all(expected.map((key) => again.get(key)))).toEqual(values)
  await again.close()
})
