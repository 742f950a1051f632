// One FileStore per directory: a second one, in this process or another, gets LOCKED; a lock left by a
// dead process is taken over.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { FileStore, StoreError, type TraceEntry } from '@isomqtt/store'

const opener = fileURLToPath(new URL('./fixtures/open-store.ts', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'isomqtt-lock-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let counter = 0
const newDir = () => join(root, `s${counter++}`)

/** Starts the opener child; resolves its first output line ("open" or an error code). */
function openInChild(dir: string, hold: boolean) {
  const child = spawn(process.execPath, ['--import', 'tsx', opener, dir, ...(hold ? ['hold'] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      out += chunk
      if (out.includes('\n')) resolve(out.split('\n')[0]!)
    })
    child.on('close', () => reject(new Error(`child exited before reporting: ${out}`)))
  })
  return { child, exited, firstLine }
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  return err instanceof StoreError ? err.code : undefined
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise((resolve) => child.on('close', resolve))
  return child.pid!
}

describe('FileStore directory lock', () => {
  it('rejects a store in another process with LOCKED while this one is open, and lets it in after close', async () => {
    const dir = newDir()
    const store = new FileStore(dir)
    await store.open()
    const second = openInChild(dir, false)
    expect(await second.firstLine).toBe('LOCKED')
    await second.exited
    await store.close()
    const third = openInChild(dir, false)
    expect(await third.firstLine).toBe('open')
    expect(await third.exited).toBe(0)
  })

  it('rejects this process with LOCKED while another process holds the directory', async () => {
    const dir = newDir()
    const holder = openInChild(dir, true)
    expect(await holder.firstLine).toBe('open')
    const err = await new FileStore(dir).open().catch((e: unknown) => e)
    expect((err as StoreError).code).toBe('LOCKED')
    expect((err as StoreError).message).toContain(`process ${holder.child.pid}`)
    holder.child.stdin.end()
    expect(await holder.exited).toBe(0)
    const store = new FileStore(dir)
    await store.open()
    await store.close()
  })

  it('rejects a second store on the same directory in the same process', async () => {
    const dir = newDir()
    const first = new FileStore(dir)
    await first.open()
    expect(await codeOf(new FileStore(dir).open())).toBe('LOCKED')
    await first.put('o.1', Uint8Array.of(1))
    await first.close()
    const again = new FileStore(dir)
    await again.open()
    expect(await again.get('o.1')).toEqual(Uint8Array.of(1))
    await again.close()
  })

  it('takes over a stale lock whose pid is dead, and reports it', async () => {
    const dir = newDir()
    mkdirSync(dir, { recursive: true })
    const pid = await deadPid()
    writeFileSync(join(dir, 'store.lock'), `${pid}\nleft-behind\n`)
    const traces: TraceEntry[] = []
    const store = new FileStore(dir, { trace: (entry) => traces.push(entry) })
    await store.open()
    expect(traces.some((t) => t.level === 'warn' && t.message.includes(`stale lock of pid ${pid}`))).toBe(true)
    expect(readFileSync(join(dir, 'store.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid))
    await store.close()
  })

  it('takes over a lock naming this pid that this process does not hold (a restart that reused the pid)', async () => {
    const dir = newDir()
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'store.lock'), `${process.pid}\nfrom-an-earlier-life\n`)
    const store = new FileStore(dir)
    await store.open()
    await store.close()
  })
})
