// The packages as an application installs them: `npm pack`ed, unpacked into an app's node_modules beside only
// the dependencies they declare, and used from TypeScript (strict, library checks on) and Node in the project
// setups users have: Node ESM, Node CommonJS, a browser app with a bundler's resolution, a Node app with it.
// It catches what the monorepo hides: a type package only the workspace root had, a file left out of `files`,
// an export condition that names a missing file.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const packages = ['codec', 'transport', 'store', 'client']
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')

let app: string

/** Link a dependency from the workspace's node_modules (with what it needs, found from its real path). */
function linkDependency(name: string): void {
  const target = join(app, 'node_modules', name)
  if (existsSync(target)) return
  mkdirSync(dirname(target), { recursive: true })
  symlinkSync(join(root, 'node_modules', name), target, 'dir')
}

beforeAll(() => {
  expect(existsSync(join(root, 'packages/client/dist/index.js')), 'run `npm run build` first').toBe(true)
  app = mkdtempSync(join(tmpdir(), 'isomqtt-installed-'))
  const packed = join(app, 'packed')
  mkdirSync(packed)
  const out = execFileSync('npm', ['pack', '--json', '--workspaces', '--pack-destination', packed], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  const files = (JSON.parse(out) as Array<{ filename: string }>).map((p) => p.filename.replace(/^@/, '').replace('/', '-'))
  expect(files).toHaveLength(packages.length)
  for (const file of files) {
    const name = file.replace(/^isomqtt-/, '').replace(/-\d.*$/, '')
    const dir = join(app, 'node_modules/@isomqtt', name)
    mkdirSync(dir, { recursive: true })
    execFileSync('tar', ['-xzf', join(packed, file), '-C', dir, '--strip-components=1'])
  }
  for (const name of packages) {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/@isomqtt', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
    for (const dep of Object.keys(manifest.dependencies ?? {})) if (!dep.startsWith('@isomqtt/')) linkDependency(dep)
  }
}, 120_000)

afterAll(() => { if (app) rmSync(app, { recursive: true, force: true }) })

/** Type-check `source` as `file` in a project of its own with these compiler options and package type. */
function typecheck(name: string, type: 'module' | 'commonjs', file: string, source: string, compilerOptions: Record<string, unknown>): string {
  const dir = join(app, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }))
  writeFileSync(join(dir, file), source)
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    // No ambient @types: what the packages' declarations need, they must bring themselves.
    compilerOptions: { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noEmit: true, skipLibCheck: false, target: 'es2022', types: [], ...compilerOptions },
    files: [file],
  }))
  try {
    execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    return ''
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? err)
  }
}

const nodeApp = `
import { connect, MqttError, type ClientOptions, type Message } from '@isomqtt/client'
import { FileStore, MemoryStore } from '@isomqtt/store'
import { createTcpTransport, type Transport } from '@isomqtt/transport'
import { encode, type PublishPacket } from '@isomqtt/codec'

export async function main(): Promise<void> {
  const options: ClientOptions = { store: new FileStore('./state'), dispatchBacklog: { maxMessages: 10 } }
  const client = await connect('mqtt://127.0.0.1:1883', options)
  await client.subscribe('a/#', (m: Message) => { void m.text() }, { qos: 1 })
  // A handler may return what it calls (a publish's promise is awaited in order).
  await client.subscribe('fwd/#', (m) => client.publish('b', m.payload, { qos: 1 }))
  const done = await client.publish('a/b', 'x', { qos: 1 })
  const n: number | undefined = done.packetId
  const packet: PublishPacket = { type: 'publish', topic: 't', qos: 0, retain: false, dup: false, payload: new Uint8Array(1) }
  const bytes: Uint8Array = encode(packet, 4)
  const t: Promise<Transport> = createTcpTransport(new URL('mqtt://127.0.0.1:1883'), {})
  void [n, bytes, t, new MemoryStore(), MqttError]
}
`

/** What the README examples import, and the names they leave to the reader (their own app's values). */
const README_PRELUDE = `
import { connect, createClient, MqttError, type Message, type MqttClient } from '@isomqtt/client'
import { Parser, encode, encodeMany, ReasonCode, type Packet } from '@isomqtt/codec'
import { FileStore, IndexedDbStore, MemoryStore } from '@isomqtt/store'
import { openTransport, TransportError } from '@isomqtt/transport'
declare const username: string, password: string, clientId: string, payload: Uint8Array, packetBytes: Uint8Array
declare const caPem: string, clientPem: string, keyPem: string
declare const puback: Packet, publish1: Packet, publish2: Packet
declare const socket: { write(b: Uint8Array): void; on(e: 'data', f: (chunk: Uint8Array) => void): void }
declare function render(text: string): void
declare function log(...args: unknown[]): void
declare function handle(p: Packet): void
declare function replay(bytes: Uint8Array | undefined): void
declare function freshToken(): Promise<string>
void [MqttError, ReasonCode, IndexedDbStore, MemoryStore, TransportError, null as unknown as Message]
`

describe('the packed packages, installed in an app', () => {
  it('type-check in a Node ESM project (module nodenext)', { timeout: 60_000 }, () => {
    expect(typecheck('node-esm', 'module', 'app.ts', nodeApp, { module: 'nodenext' })).toBe('')
  })

  it('type-check in a Node CommonJS project (module nodenext: require of the ES modules)', { timeout: 60_000 }, () => {
    expect(typecheck('node-cjs', 'commonjs', 'app.ts', nodeApp, { module: 'nodenext' })).toBe('')
  })

  it('type-check in an older CommonJS project (module commonjs, whose resolution ignores export maps)', { timeout: 60_000 }, () => {
    expect(typecheck('node10-cjs', 'commonjs', 'app.ts', nodeApp, { module: 'commonjs', moduleResolution: 'node10' })).toBe('')
  })

  it("type-check in a browser app with a bundler's resolution, where the Node-only exports are absent", { timeout: 60_000 }, () => {
    const browserApp = `
import { connect, type Message } from '@isomqtt/client'
import { IndexedDbStore, MemoryStore } from '@isomqtt/store'
import { createWebSocketTransport } from '@isomqtt/transport'
// @ts-expect-error: FileStore is Node-only
import { FileStore } from '@isomqtt/store'

export async function main(): Promise<void> {
  const client = await connect('wss://broker.example/mqtt', { store: new IndexedDbStore('app') })
  await client.subscribe('a/#', (m: Message) => { document.title = m.text() })
  void [createWebSocketTransport, new MemoryStore(), FileStore]
}
`
    expect(typecheck('browser-bundler', 'module', 'app.ts', browserApp, { module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'] })).toBe('')
  })

  it("type-check in a Node app with a bundler's resolution and the node condition (as the README says)", { timeout: 60_000 }, () => {
    expect(typecheck('node-bundler', 'module', 'app.ts', nodeApp, { module: 'esnext', moduleResolution: 'bundler', customConditions: ['node'] })).toBe('')
  })

  it("type-check every TypeScript example in the READMEs (as a Node ESM app)", { timeout: 60_000 }, () => {
    const dir = join(app, 'readme-examples')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-examples', private: true, type: 'module' }))
    const files: string[] = []
    for (const readme of ['README.md', ...packages.map((p) => `packages/${p}/README.md`)]) {
      const text = readFileSync(join(root, readme), 'utf8')
      let i = 0
      for (const [, body] of text.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
        const file = `${readme.replace(/\W+/g, '-')}-${i++}.ts`
        // The examples' own imports are replaced by one set; the names they leave to the reader are declared.
        const code = body!.replace(/^import .*$/gm, '')
        // A snippet that goes on from an earlier one uses its client.
        const client = /\bconst client\b/.test(code) ? '' : 'declare const client: MqttClient\n'
        writeFileSync(join(dir, file), `${README_PRELUDE}\n${client}${code}\nexport {}\n`)
        files.push(file)
      }
    }
    expect(files.length).toBeGreaterThanOrEqual(8)
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', module: 'nodenext', types: [], noUnusedLocals: false },
      files,
    }))
    let out = ''
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? err)
    }
    expect(out).toBe('')
  })

  it('carry the CDN bundles in @isomqtt/client: the ones tested in Chromium, with self-contained source maps', () => {
    const client = join(app, 'node_modules/@isomqtt/client')
    const manifest = JSON.parse(readFileSync(join(client, 'package.json'), 'utf8')) as { unpkg?: string; jsdelivr?: string }
    // unpkg.com/@isomqtt/client and cdn.jsdelivr.net/npm/@isomqtt/client serve the file these fields name.
    expect(manifest.unpkg).toBe('./dist/isomqtt.min.js')
    expect(manifest.jsdelivr).toBe('./dist/isomqtt.min.js')
    for (const file of ['isomqtt.min.js', 'isomqtt.esm.js']) {
      expect(readFileSync(join(client, 'dist', file), 'utf8'), file).toBe(readFileSync(join(root, 'dist', file), 'utf8'))
      const map = JSON.parse(readFileSync(join(client, 'dist', `${file}.map`), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> }
      expect(map.sources.length).toBeGreaterThan(50)
      expect(map.sourcesContent?.filter((c) => typeof c === 'string')).toHaveLength(map.sources.length)
    }
  })

  it('load in Node from ESM and CommonJS, every entry resolving to a packed file', { timeout: 60_000 }, () => {
    const dir = join(app, 'node-run')
    mkdirSync(dir, { recursive: true })
    cpSync(join(root, 'LICENSE'), join(dir, 'LICENSE'))
    writeFileSync(join(dir, 'esm.mjs'), `
import { connect } from '@isomqtt/client'
import { FileStore } from '@isomqtt/store'
import { createTcpTransport } from '@isomqtt/transport'
import { encode } from '@isomqtt/codec'
console.log([connect, FileStore, createTcpTransport, encode].map((f) => typeof f).join(','))
`)
    writeFileSync(join(dir, 'cjs.cjs'), `
const { connect } = require('@isomqtt/client')
const { FileStore } = require('@isomqtt/store')
console.log([connect, FileStore].map((f) => typeof f).join(','))
`)
    expect(execFileSync(process.execPath, ['esm.mjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('function,function,function,function')
    expect(execFileSync(process.execPath, ['cjs.cjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('function,function')
  })
})
