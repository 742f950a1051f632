// Runs each Node example as a user would (a separate process) against a real Mosquitto; each must do its
// job and exit on its own, which also proves no client timer keeps the process alive after disconnect().
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FileStore } from '@isomqtt/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '@isomqtt/client'
import { startMosquitto, type Mosquitto } from '../../tests/support/mosquitto.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '../..')

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

interface Run { child: ChildProcess; output: () => string; exit: Promise<number | null> }

function run(example: string, args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, example), ...args], {
    cwd: root, env: { ...process.env, TSX_TSCONFIG_PATH: join(here, 'tsconfig.json') }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => out, exit }
}

function waitFor(r: Run, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => { if (r.output().includes(text)) resolve() }
    r.child.stdout!.on('data', check)
    r.exit.then(() => (r.output().includes(text) ? resolve() : reject(new Error(`exited without "${text}":\n${r.output()}`))), reject)
    check()
  })
}

describe('Node examples', () => {
  it('publish.ts publishes three readings and a retained value, then exits', async () => {
    const topic = `ex/${process.pid}/pub`
    const watcher = await connect(broker.url)
    const got: string[] = []
    await watcher.subscribe(`${topic}/#`, (m) => { got.push(m.text()) }, { qos: 1 })
    const r = run('publish.ts', [broker.url, topic])
    expect(await r.exit).toBe(0)
    expect(r.output()).toContain('published 22 °C')
    const sub = await watcher.subscribe(`${topic}/last`, undefined, { qos: 1 })
    expect((await sub[Symbol.asyncIterator]().next()).value?.text()).toBe('22.0')
    expect(got.slice(0, 3).map((t) => JSON.parse(t).celsius)).toEqual([21.5, 21.7, 22])
    await watcher.publish(`${topic}/last`, '', { qos: 1, retain: true })
    await watcher.disconnect()
  })

  it('subscribe.ts prints what arrives (handler and for await) and exits after the count', async () => {
    const base = `ex/${process.pid}/sub/`
    const r = run('subscribe.ts', [broker.url, `${base}#`, '3'])
    await waitFor(r, 'ready')
    const pub = await connect(broker.url)
    await pub.publish(`${base}alerts`, 'smoke', { qos: 1 })
    await pub.publish(`${base}a`, 'one', { qos: 1 })
    await pub.publish(`${base}b`, 'two', { qos: 1 })
    expect(await r.exit).toBe(0)
    expect(r.output()).toContain('ALERT smoke')
    expect(r.output()).toContain(`${base}a: one`)
    expect(r.output()).toContain(`${base}b: two`)
    await pub.disconnect()
  })

  it('persistent-session.ts resumes a message left in flight by an earlier run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'isomqtt-example-'))
    // Leave a QoS 1 message in the store as a crashed earlier run would: stored, never acknowledged.
    const store = new FileStore(dir)
    await store.open()
    const { encode } = await import('@isomqtt/codec')
    await store.put('o.7', encode({ type: 'publish', topic: 'isomqtt/example/orders', payload: new TextEncoder().encode('left over'), qos: 1, retain: false, dup: false, packetId: 7 }, 4))
    await store.close()
    const watcher = await connect(broker.url)
    const got: string[] = []
    await watcher.subscribe('isomqtt/example/orders', (m) => { got.push(m.text()) }, { qos: 2 })
    const first = run('persistent-session.ts', [broker.url, dir])
    expect(await first.exit).toBe(0)
    expect(first.output()).toContain('resumed: 1')
    expect(first.output()).toContain('resumed message 7 (isomqtt/example/orders) completed')
    const second = run('persistent-session.ts', [broker.url, dir])
    expect(await second.exit).toBe(0)
    expect(second.output()).toContain('resumed: 0')
    // The marker comes back after everything the examples published: the messages before it have arrived.
    let markerArrived!: () => void
    const marker = new Promise<void>((resolve) => { markerArrived = resolve })
    await watcher.subscribe('isomqtt/example/marker', () => markerArrived(), { qos: 1 })
    await Promise.all([marker, watcher.publish('isomqtt/example/marker', 'x', { qos: 1 })])
    expect(got[0]).toBe('left over')
    expect(got).toHaveLength(3)
    await watcher.disconnect()
    await rm(dir, { recursive: true, force: true })
  })
})
