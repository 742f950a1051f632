import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { FileStore } from '@isomqtt/store'
import { storeContract } from './store-contract.js'

const root = mkdtempSync(join(tmpdir(), 'isomqtt-file-contract-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

storeContract('FileStore', (location, options) => new FileStore(join(root, location), options), { persistent: true })
