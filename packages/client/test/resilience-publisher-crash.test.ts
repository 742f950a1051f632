// Scenario 3: the publishing process is killed with SIGKILL mid-stream and started again with the same
// FileStore and client id (clean: false). Every message whose publish had been accepted reaches the
// subscriber: those acknowledged before the kill, and those the store still held (resumed on restart).
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { decodePacket } from '@isomqtt/codec'
import { FileStore } from '@isomqtt/store'
import { connect } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { figures, runFixture, StreamTally } from './resilience-helpers.js'

const N = 20_000
const KILL_AFTER_ACKS = 4_000

let broker: Mosquitto
let dir: string
beforeAll(async () => {
  broker = await startMosquitto()
  dir = await mkdtemp(join(tmpdir(), 'isomqtt-crash-'))
})
afterAll(async () => {
  await broker?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const child = (args: string[], onLine: (line: string, proc: ChildProcess) => void) => runFixture('crash-publisher.ts', args, onLine)

it('after SIGKILL and a restart with the same FileStore, every accepted message reaches the subscriber', async () => {
  const base = uniqueTopic('crash')
  const clientId = uniqueId('crash')
  const tally = new StreamTally(N)
  const ends = new Set<string>()
  const ended = signal()
  const sub = await connect(broker.url, { clientId: uniqueId('cs') })
  await sub.subscribe([{ filter: `${base}/q1`, qos: 1 }, { filter: `${base}/q2`, qos: 2 }], (m) => {
    if (m.text() === 'end') {
      ends.add(m.topic)
      if (ends.size === 2) ended.resolve()
      return
    }
    tally.add(Number(m.text()))
  })

  const acked = new Set<number>()
  const failures: string[] = []
  const first = child(['run', broker.url, dir, clientId, base, String(N)], (line, proc) => {
    if (line.startsWith('ack ')) {
      acked.add(Number(line.slice(4)))
      if (acked.size === KILL_AFTER_ACKS) proc.kill('SIGKILL')
    } else if (line.startsWith('fail ')) failures.push(line)
  })
  expect((await first.exited).exit).toBe('SIGKILL')
  const killedAt = Date.now()

  // What the killed process had accepted and not completed: the PUBLISH packets its store still holds.
  const store = new FileStore(dir)
  await store.open()
  const stored: number[] = []
  for (const key of await store.keys()) {
    const bytes = key.startsWith('o.') ? await store.get(key) : undefined
    const p = bytes && decodePacket(bytes, 4)
    if (p && p.type === 'publish') stored.push(Number(new TextDecoder().decode(p.payload)))
  }
  await store.close()

  let resumed = -1
  const second = child(['resume', broker.url, dir, clientId, base, String(N)], (line) => {
    const m = /resumed=(\d+)/.exec(line)
    if (m) resumed = Number(m[1])
  })
  expect((await second.exited).exit).toBe(0)
  await ended.promise
  const recoveredMs = Date.now() - killedAt

  // What arrived is an unbroken prefix 0..M-1 of the stream: nothing accepted was lost in between.
  let prefix = 0
  while (prefix < N && tally.counts[prefix]! > 0) prefix++
  const maxAcked = Math.max(...acked)
  let q2Duplicates = 0
  for (let i = 1; i < N; i += 2) if (tally.counts[i]! > 1) q2Duplicates += tally.counts[i]! - 1
  figures('publisher crash', {
    published: N,
    ackedBeforeKill: acked.size,
    storedAtKill: stored.length,
    resumedAfterRestart: resumed,
    received: tally.received,
    prefix,
    duplicates: tally.duplicates,
    q2Duplicates,
    lost: [...acked].filter((i) => tally.counts[i] === 0).length,
    recoverMs: recoveredMs,
  })
  expect(failures).toEqual([])
  expect(resumed).toBeGreaterThan(0)
  expect(stored.length).toBeGreaterThan(0)
  expect([...acked].filter((i) => tally.counts[i] === 0)).toEqual([])
  expect(stored.filter((i) => tally.counts[i] === 0)).toEqual([])
  expect(prefix).toBe(tally.received)
  expect(prefix).toBeGreaterThan(Math.max(maxAcked, ...stored))
  expect(q2Duplicates).toBe(0)
  await sub.disconnect()
}, 120_000)
