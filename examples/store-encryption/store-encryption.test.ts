import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { FileStore, MemoryStore, StoreError } from '@isomqtt/store'
import { aesGcmTransform, importAesKey } from './aes-gcm-transform.js'
import { runExample } from './main.js'

const root = mkdtempSync(join(tmpdir(), 'isomqtt-encryption-example-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const key = (fill: number) => new Uint8Array(32).fill(fill)

it('runs: the log holds no plaintext and the packet reads back after a reopen', async () => {
  const result = await runExample(join(root, 'run'), key(1))
  expect(result.plaintextInFile).toBe(false)
  expect(result.readBack).toBe('PUBLISH sensors/t1 qos=1 payload=21.5')
})

it('refuses with TRANSFORM_FAILED to read with the wrong key or after a byte changed on disk', async () => {
  const dir = join(root, 'tamper')
  await runExample(dir, key(2))
  const wrongKey = new FileStore(dir, { transform: aesGcmTransform(await importAesKey(key(3))) })
  await wrongKey.open()
  expect(await wrongKey.get('o.1').catch((e: StoreError) => e.code)).toBe('TRANSFORM_FAILED')
  await wrongKey.close()

  // flip a ciphertext byte and fix nothing else: the record's CRC would catch it first, so rewrite it
  // through a raw store to reach the AES-GCM tag check
  const raw = new FileStore(dir)
  await raw.open()
  const sealed = (await raw.get('o.1'))!
  sealed[sealed.length - 20]! ^= 1
  await raw.put('o.1', sealed)
  await raw.close()
  const rightKey = new FileStore(dir, { transform: aesGcmTransform(await importAesKey(key(2))) })
  await rightKey.open()
  expect(await rightKey.get('o.1').catch((e: StoreError) => e.code)).toBe('TRANSFORM_FAILED')
  await rightKey.close()
  expect(readFileSync(join(dir, 'store.log')).includes(Buffer.from('sensors/t1'))).toBe(false)
})

it('works the same with the browser-safe MemoryStore, keeping replay order', async () => {
  const store = new MemoryStore({ transform: aesGcmTransform(await importAesKey(key(4))) })
  await store.open()
  await Promise.all(['o.3', 'o.1', 'o.2'].map((k) => store.put(k, new TextEncoder().encode(k))))
  expect(await store.keys()).toEqual(['o.3', 'o.1', 'o.2'])
  expect(new TextDecoder().decode(await store.get('o.1'))).toBe('o.1')
  await store.close()
})
