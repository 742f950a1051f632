// Store benchmark: puts, gets and deletes per second for each store, one operation at a time (each awaited)
// and 1,000 at once (Promise.all), with 128-byte packets. IndexedDbStore runs on fake-indexeddb here, so
// its figures measure our code plus that in-memory shim, not a browser's IndexedDB.
// Each phase runs for about PHASE_MS (capped in operations so memory stays bounded).

import 'fake-indexeddb/auto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { aesGcmTransform, importAesKey } from '../examples/store-encryption/aes-gcm-transform.ts'
import { FileStore, IndexedDbStore, MemoryStore, type Store } from '../packages/store/src/index.node.ts'

const PHASE_MS = 700
const BURST = 1000
const MAX_OPS = 200_000
const PACKET = new Uint8Array(128).map((_, i) => i)

interface Row { store: string; [phase: string]: string }

/** Runs `round` until PHASE_MS or `maxRounds` have passed; returns operations per second. */
async function rate(maxRounds: number, opsPerRound: number, round: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now()
  let rounds = 0
  while (rounds < maxRounds && performance.now() - start < PHASE_MS) await round(rounds++)
  return (rounds * opsPerRound) / ((performance.now() - start) / 1000)
}

async function benchStore(name: string, store: Store): Promise<Row> {
  await store.open()
  const row: Row = { store: name }
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  const burst = (i: number, op: (key: string) => Promise<unknown>) =>
    Promise.all(Array.from({ length: BURST }, (_, j) => op(`c.${i}.${j}`)))

  let single = 0
  row['put 1'] = fmt(await rate(MAX_OPS, 1, (i) => ((single = i + 1), store.put(`s.${i}`, PACKET))))
  let bursts = 0
  row['put 1000'] = fmt(await rate(MAX_OPS / BURST, BURST, (i) => ((bursts = i + 1), burst(i, (k) => store.put(k, PACKET)))))
  row['get 1'] = fmt(await rate(MAX_OPS, 1, (i) => store.get(`s.${i % single}`)))
  row['get 1000'] = fmt(await rate(MAX_OPS / BURST, BURST, (i) => burst(i % bursts, (k) => store.get(k))))
  row['del 1'] = fmt(await rate(single, 1, (i) => store.del(`s.${i}`)))
  row['del 1000'] = fmt(await rate(bursts, BURST, (i) => burst(i, (k) => store.del(k))))
  await store.close()
  return row
}

const dir = mkdtempSync(join(tmpdir(), 'isomqtt-store-bench-'))
try {
  const key = await importAesKey(globalThis.crypto.getRandomValues(new Uint8Array(32)))
  const rows = [
    await benchStore('MemoryStore', new MemoryStore()),
    await benchStore('FileStore', new FileStore(join(dir, 'plain'))),
    await benchStore('FileStore + AES-GCM', new FileStore(join(dir, 'aes'), { transform: aesGcmTransform(key) })),
    await benchStore('IndexedDbStore (fake-indexeddb)', new IndexedDbStore(`bench-${Date.now()}`)),
  ]
  console.log(`operations per second, ${PACKET.length}-byte packets ('1': each awaited, '1000': ${BURST} at once)`)
  console.table(rows)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
