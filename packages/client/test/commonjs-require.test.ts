// CommonJS code (a Node service compiled to CommonJS) loads the packages with require(), which Node 20.19+
// and 22.12+ allow for ES modules without top-level await. This guards against a top-level await, or an
// export only an `import` condition reaches, creeping into the packages' Node entries (needs `npm run build`).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))

it('require() of each package by name gives its API', async () => {
  const script = `
    const { connect, createClient, MqttError } = require('@isomqtt/client')
    const { encode, Parser } = require('@isomqtt/codec')
    const { openTransport } = require('@isomqtt/transport')
    const { MemoryStore, FileStore } = require('@isomqtt/store')
    console.log([connect, createClient, MqttError, encode, Parser, openTransport, MemoryStore, FileStore].map((f) => typeof f).join(' '))
  `
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: root })
  expect(stderr).toBe('')
  expect(stdout).toBe(`${Array(8).fill('function').join(' ')}\n`)
}, 30_000)
