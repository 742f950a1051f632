// A write that fails for real (the log hits the process's file size limit, EFBIG): the puts of that batch
// reject with IO_ERROR, the store refuses further work until reopened, and a reopen finds exactly the
// acknowledged puts, because the partial write was cut back.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { FileStore } from '@isomqtt/store'

const filler = fileURLToPath(new URL('./fixtures/fill-until-failure.ts', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'isomqtt-io-failure-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

it('rejects a failed write with IO_ERROR, then refuses further calls, and loses nothing acknowledged', async () => {
  const dir = join(root, 'client')
  // SIGXFSZ ignored, so writing past the limit fails with EFBIG instead of killing the child
  const command = `trap "" XFSZ; ulimit -f 64; exec "${process.execPath}" --import tsx "${filler}" "${dir}"`
  const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  const code = await new Promise((resolve) => child.on('close', resolve))
  expect(code).toBe(0)

  const lines = out.trim().split('\n')
  const acknowledged = lines.filter((l) => l.startsWith('ok ')).map((l) => Number(l.split(' ')[1]))
  const failures = lines.filter((l) => l.startsWith('fail '))
  expect(acknowledged.length).toBeGreaterThan(0)
  expect(failures.length).toBeGreaterThan(0)
  expect(failures.every((l) => l.endsWith(' IO_ERROR'))).toBe(true)
  expect(lines.slice(-3)).toEqual(['after IO_ERROR', 'get IO_ERROR', 'closed'])

  const store = new FileStore(dir)
  await store.open()
  expect(await store.keys()).toEqual(acknowledged.map((n) => `o.${n}`))
  for (const n of acknowledged) expect(await store.get(`o.${n}`)).toEqual(new Uint8Array(1024).fill(n & 0xff))
  await store.put('o.next', new Uint8Array(1))
  await store.close()
})
