// Durability under SIGKILL: a child puts entries as fast as it can and is killed at a random moment;
// every put it saw resolve must come back intact, in order, and nothing damaged may come back.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { FileStore, type TraceEntry } from '@isomqtt/store'
import { entryBytes } from './fixtures/crash-entries.js'

const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'isomqtt-crash-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

interface Reported {
  puts: Set<number>
  overwrites: Set<number>
}

/** Runs the writer until it has reported `killAfter` resolved puts, then SIGKILLs it. */
async function runAndKill(dir: string, start: number, killAfter: number): Promise<Reported> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, String(start)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const reported: Reported = { puts: new Set(), overwrites: new Set() }
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()))
  let partial = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop()!
    for (const line of lines) {
      const [kind, n] = line.split(' ')
      if (kind === 'p') reported.puts.add(Number(n))
      else if (kind === 'q') reported.overwrites.add(Number(n))
    }
    if (reported.puts.size >= killAfter) child.kill('SIGKILL')
  })
  await closed
  expect(child.signalCode).toBe('SIGKILL')
  return reported
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

it('returns every put acknowledged before a SIGKILL, intact and in order, over 20 random kills', async () => {
  const dir = join(root, 'client')
  const traces: TraceEntry[] = []
  let acknowledged = 0
  for (let run = 0; run < 20; run++) {
    const start = run * 10_000_000
    const { puts, overwrites } = await runAndKill(dir, start, 1 + Math.floor(Math.random() * 20_000))
    acknowledged += puts.size

    const store = new FileStore(dir, { trace: (entry) => traces.push(entry) })
    await store.open()
    const keys = await store.keys()
    const numbers = keys.map((key) => Number(key.slice(2)))
    // replay order is put order, which the writer follows in ascending n
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)).toBe(true)
    const values = await Promise.all(keys.map((key) => store.get(key)))
    const versions = new Map<number, number>()
    const damaged: number[] = []
    values.forEach((value, i) => {
      const n = numbers[i]!
      const version = value!.length >= 8 ? new DataView(value!.buffer, value!.byteOffset).getUint32(4) : 0
      if (!sameBytes(value!, entryBytes(n, version))) damaged.push(n)
      versions.set(n, version)
    })
    expect(damaged).toEqual([])
    const lost = [...puts].filter((n) => n % 3 !== 0 && !versions.has(n))
    expect(lost, 'acknowledged puts missing after the crash').toEqual([])
    const stale = [...overwrites].filter((n) => versions.get(n) !== 2)
    expect(stale, 'acknowledged overwrites missing after the crash').toEqual([])
    await store.reset()
    await store.close()
  }
  expect(acknowledged).toBeGreaterThan(20)
  expect(traces.some((t) => t.message.includes('stale lock'))).toBe(true)
  expect(traces.filter((t) => t.level === 'critical')).toEqual([])
}, 60_000)
