// A log whose end was torn by a crash or damaged on disk opens without the bad tail, which is cut off
// (truncated) and reported through the trace sink; damage that is not our format is a CORRUPT error.
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FileStore, StoreError, type TraceEntry } from '@isomqtt/store'

const root = mkdtempSync(join(tmpdir(), 'isomqtt-torn-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let counter = 0
const payload = (n: number) => new TextEncoder().encode(`PAYLOAD-SECRET-${n}-`.repeat(4))

/** A store with o.1..o.5; returns the log path and its size before and after the last record. */
async function fiveEntries(): Promise<{ dir: string; log: string; before: number; after: number }> {
  const dir = join(root, `s${counter++}`)
  const log = join(dir, 'store.log')
  const store = new FileStore(dir)
  await store.open()
  for (let n = 1; n <= 4; n++) await store.put(`o.${n}`, payload(n))
  const before = statSync(log).size
  await store.put('o.5', payload(5))
  await store.close()
  return { dir, log, before, after: statSync(log).size }
}

async function reopen(dir: string): Promise<{ store: FileStore; traces: TraceEntry[] }> {
  const traces: TraceEntry[] = []
  const store = new FileStore(dir, { trace: (entry) => traces.push(entry) })
  await store.open()
  return { store, traces }
}

async function expectFirstFour(store: FileStore): Promise<void> {
  expect(await store.keys()).toEqual(['o.1', 'o.2', 'o.3', 'o.4'])
  for (let n = 1; n <= 4; n++) expect(await store.get(`o.${n}`)).toEqual(payload(n))
}

describe('FileStore torn or damaged tail', () => {
  for (const [label, cut] of [['in the middle of the last record', 7], ['inside the last record header', -4]] as const) {
    it(`cuts off a log truncated ${label}, reports it, and goes on appending`, async () => {
      const { dir, log, before, after } = await fiveEntries()
      truncateSync(log, cut > 0 ? after - cut : before - cut)
      const { store, traces } = await reopen(dir)
      await expectFirstFour(store)
      expect(statSync(log).size).toBe(before)
      const warning = traces.find((t) => t.level === 'warn' && t.message.includes('cut off'))
      expect(warning?.component).toBe('store')
      expect(traces.some((t) => t.message.includes('PAYLOAD-SECRET'))).toBe(false)
      await store.put('o.6', payload(6))
      await store.close()
      const again = await reopen(dir)
      expect(await again.store.keys()).toEqual(['o.1', 'o.2', 'o.3', 'o.4', 'o.6'])
      expect(again.traces.filter((t) => t.level !== 'verbose')).toEqual([])
      await again.store.close()
    })
  }

  it('cuts off a last record with one corrupted byte', async () => {
    const { dir, log, before, after } = await fiveEntries()
    const bytes = readFileSync(log)
    bytes[before + Math.floor((after - before) / 2)]! ^= 0x40
    writeFileSync(log, bytes)
    const { store, traces } = await reopen(dir)
    await expectFirstFour(store)
    expect(traces.find((t) => t.level === 'warn')?.message).toMatch(/bad checksum/)
    expect(statSync(log).size).toBe(before)
    await store.close()
  })

  it('rejects a get of a record damaged after open with CORRUPT rather than returning it', async () => {
    const { dir, log } = await fiveEntries()
    const { store } = await reopen(dir)
    const bytes = readFileSync(log)
    const at = bytes.indexOf(Buffer.from('PAYLOAD-SECRET-2'))
    bytes[at]! ^= 0x01
    writeFileSync(log, bytes)
    const err = await store.get('o.2').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).code).toBe('CORRUPT')
    expect(await store.get('o.3')).toEqual(payload(3))
    await store.close()
  })

  it('refuses with CORRUPT a log file that is not in its format, and leaves it alone', async () => {
    const dir = join(root, `s${counter++}`)
    const store = new FileStore(dir)
    await store.open()
    await store.close()
    writeFileSync(join(dir, 'store.log'), 'someone else wrote this file')
    const err = await new FileStore(dir).open().catch((e: unknown) => e)
    expect((err as StoreError).code).toBe('CORRUPT')
    expect(readFileSync(join(dir, 'store.log'), 'utf8')).toBe('someone else wrote this file')
    // the failed open released the lock
    writeFileSync(join(dir, 'store.log'), '')
    const fresh = await reopen(dir)
    expect(await fresh.store.keys()).toEqual([])
    await fresh.store.close()
  })

  it('starts afresh from a header torn while the log was being created', async () => {
    const dir = join(root, `s${counter++}`)
    const store = new FileStore(dir)
    await store.open()
    await store.close()
    truncateSync(join(dir, 'store.log'), 3)
    const { store: again, traces } = await reopen(dir)
    expect(await again.keys()).toEqual([])
    expect(traces.some((t) => t.level === 'warn' && t.message.includes('header'))).toBe(true)
    await again.put('o.1', payload(1))
    await again.close()
    const third = await reopen(dir)
    expect(await third.store.get('o.1')).toEqual(payload(1))
    await third.store.close()
  })
})
