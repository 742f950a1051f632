// Keeps an in-flight packet in a FileStore encrypted at rest, shows the file holds no plaintext, and reads
// it back after a reopen. Run: npm run build && npx tsx examples/store-encryption/main.ts [directory]
// The key comes from STORE_KEY (64 hex digits); without it a random key is used for this run only.

import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { FileStore } from '@isomqtt/store'
import { aesGcmTransform, importAesKey } from './aes-gcm-transform.js'

/** What the example saw; its test checks it. */
export interface ExampleResult {
  readBack: string
  plaintextInFile: boolean
  logBytes: number
}

/** Stores one encoded PUBLISH under 'o.1' in `directory`, encrypted with `rawKey`, then reads it back. */
export async function runExample(directory: string, rawKey: Uint8Array): Promise<ExampleResult> {
  const transform = aesGcmTransform(await importAesKey(rawKey))
  // stands in for the bytes @isomqtt/codec's encode() would give the client for a QoS 1 PUBLISH
  const packet = new TextEncoder().encode('PUBLISH sensors/t1 qos=1 payload=21.5')

  const store = new FileStore(directory, { transform })
  await store.open()
  await store.put('o.1', packet)
  await store.close()

  const onDisk = readFileSync(join(directory, 'store.log'))
  const plaintextInFile = onDisk.includes(Buffer.from('sensors/t1'))

  const reopened = new FileStore(directory, { transform })
  await reopened.open()
  const readBack = new TextDecoder().decode(await reopened.get('o.1'))
  await reopened.close()
  return { readBack, plaintextInFile, logBytes: onDisk.length }
}

function keyFromEnvironment(): Uint8Array {
  const hex = process.env.STORE_KEY
  if (hex !== undefined && /^[0-9a-f]{64}$/i.test(hex)) return Uint8Array.from(Buffer.from(hex, 'hex'))
  console.log('STORE_KEY not set (64 hex digits): using a random key, so this data is unreadable after the run')
  return globalThis.crypto.getRandomValues(new Uint8Array(32))
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const directory = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'isomqtt-encrypted-')))
  const result = await runExample(directory, keyFromEnvironment())
  console.log(`store directory: ${directory}`)
  console.log(`log file: ${result.logBytes} bytes, plaintext visible: ${result.plaintextInFile ? 'YES' : 'no'}`)
  console.log(`read back after reopen: ${result.readBack}`)
}
