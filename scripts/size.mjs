#!/usr/bin/env node
// `npm run size`: minified and gzipped sizes of the browser bundles, of a minimal app, of isomqtt's own code in
// it, of readable-stream's share, and of MQTT.js 5's dist/mqtt.esm.js measured the same way; each next to the
// issue's target and to the regression ceiling the size test enforces. Needs `npm run build` first.
// `npm run size -- --modules` adds where the bytes go: per package and per module of what the minimal app loads
// at start (`--modules=full`: of the full bundle; `--modules=mqtt5`: of the minimal app's lazy MQTT 5 chunk).
// The minimal app is measured as a bundler splits it: what it loads at start (the entry chunk), and on other
// lines what it loads later (the MQTT 5 chunk on the first MQTT 5 connect, the request() chunk).
// Also imported by tests/support/size-budget.test.ts.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { rollup } from 'rollup'
import { minify } from 'terser'
import { browserPlugins, bundleEntry, terserOptions } from '../rollup.config.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Issue 8's targets in bytes of min+gzip (1 KB = 1000 bytes, as bundle-size tools count). */
export const targets = { ownCode: 12_000, minimalApp: 48_000, fullBundle: 55_000 }

/**
 * What the size test enforces while a target is out of reach: the figure reached plus ~3%, so growth fails CI
 * and the gap to the target stays printed. Measured 2026-11-26 after the second size round (MQTT 5 and
 * request() in lazy chunks, readable-stream's Duplex without its main module, reason texts made from their
 * codes), with the client as it then stood on branch size: own code 33.6 KB, minimal app 61.9 KB at start
 * (+3.7 KB MQTT 5 chunk for an MQTT 5 app), full bundle 66.5 KB (ES module and IIFE). The same day's
 * performance round (QoS 0/1 write segments, IdMap tables, the CONNECT as transport greeting, the light
 * abort signal) added 1.2 KB: own code 34.8 KB, minimal app 63.1 KB, full bundle 67.7 KB. The next session's
 * memory and latency round (the MemoryStore's packet arena, packed outbound entries, disconnect() waiting for
 * the server's close, shared control segments) added 0.9 KB of own code: 35.7 KB, minimal app 64.1 KB, full
 * bundle 68.6 KB; the own-code ceiling moved from 35.6 to 36.0 KB for it. The session after it made connect()
 * open the transport before building the client (early-transport.ts) and opened the resume gate synchronously
 * when nothing is to replay, and cut connect latency further (resolved options as one literal naming every
 * option, a class per transport attempt, the reconnect loop made on first need): own code 36.5 KB, minimal app
 * 64.8 KB, full bundle 69.4 KB; the ceilings moved to 36.8, 65.2 and 69.8 KB. The next session's correctness
 * round added 0.9 KB of own code: paged id tables (memory follows the ids in use, not the highest id seen),
 * duration options checked at the call (a bad reconnect delay crashed the process), credentials from the
 * server URL, typed errors for arguments of the wrong type: own code 37.5 KB, minimal app 65.8 KB, full bundle
 * 70.2 KB. Then a browser client that retries at once on the window's 'online' event, an error nobody
 * listens for printed instead of lost, QoS 0 rejections marked handled, wsOptions, an HTTP answer named as
 * such, a client that logs without its password: own code 38.3 KB, minimal app 66.5 KB, full bundle 71.2 KB
 * (with the IndexedDbStore's Web Lock); the ceilings moved to 38.7, 67.0 and 71.6 KB. The next session bounded
 * ordered dispatch's backlog (a QoS 0 firehose and a slow handler took unbounded memory) and checked server URLs'
 * schemes at the call with a hint (`localhost:1883` failed at connect as "cannot reach :"): own code 38.9 KB,
 * minimal app 67.1 KB, full bundle 71.8 KB; the ceilings moved to 39.2, 67.5 and 72.1 KB. Then handlers that
 * await a request() or an iterated subscription (deadlocked before), the Session Taken Over stop, and the store
 * operations by packet id (the MemoryStore's putOutNow/delOutNow: -17% of our CPU per QoS 1 message, +33% on
 * the client-only QoS 1 publish rate): own code 39.2 KB, minimal app 67.5 KB, full bundle 72.2 KB; the ceilings
 * moved to 39.6, 67.9 and 72.5 KB. Then the refusal probe (a message an MQTT 3.1.1 server hangs up on is
 * found and given up instead of holding the session back for good, opt-in, refusal-probe.ts): own code 39.9 KB,
 * minimal app 68.1 KB, full bundle 72.9 KB; the ceilings moved to 40.3, 68.5 and 73.3 KB. The next session fixed
 * message loss and memory (1.8 KB): a resumed session's queued messages held, in order, for the subscribe() that
 * claims them (they were acknowledged and dropped before the app could subscribe again), an iterated subscription
 * acknowledging QoS 1/2 messages as its loop takes them (a full buffer dropped acknowledged ones), inbound QoS 2
 * delivered once its id is stored (a crash delivered it twice), shared subscriptions routed over MQTT 3.1.1,
 * maxIncomingPacketSize with oversized MQTT 3.1.x messages read past, a parser buffer that grows with the bytes
 * received: own code 41.7 KB, minimal app 70.0 KB, full bundle 74.6 KB; the ceilings moved to 42.1, 70.4 and
 * 75.0 KB. Lower these as the figures come down; once a figure meets its target, set its ceiling to the target.
 */
export const ceilings = { ownCode: 42_100, minimalApp: 70_400, fullBundle: 75_000 }

/** The minimal app: connect over wss, subscribe, publish, with the MemoryStore. */
export const minimalApp = `
import { connect } from '@isomqtt/client'
import { MemoryStore } from '@isomqtt/store'
const client = await connect('wss://broker.example/mqtt', { store: new MemoryStore() })
await client.subscribe('sensors/+', (msg) => console.log(msg.topic, msg.text()), { qos: 1 })
await client.publish('sensors/t1', '21.5', { qos: 1 })
`

/** readable-stream's Duplex as the transport loads it (its own module, not the package's main one; with the polyfills it requires). */
const readableStreamEntry = `export { Duplex } from '${root}packages/transport/dist/readable-duplex.js'`

// Everything readable-stream brings along: itself and the Node polyfills it needs.
const POLYFILLS = ['readable-stream', 'buffer', 'events', 'base64-js', 'ieee754', 'abort-controller', 'event-target-shim',
  'string_decoder', 'safe-buffer']
const isPolyfill = (id) => POLYFILLS.some((name) => id === name || id.startsWith(`${name}/`))

/** Every chunk `from` loads with static imports, itself included (chunks by file name in `all`). */
function staticClosure(from, all) {
  const seen = new Set([from])
  for (const c of seen) for (const name of c.imports) { const dep = all.find((d) => d.fileName === name); if (dep) seen.add(dep) }
  return [...seen]
}

/**
 * The files a bundler makes of `code`, as fetched: `start` (the entry chunk and the chunks it imports), and
 * per lazy client module (`mqtt5.js`: the first MQTT 5 connect; `request-response.js`: the first request()),
 * what its dynamic import fetches beyond `start`. `inline`: one file, as dist/.
 */
async function chunks(code, { external, inline = false } = {}) {
  const build = await rollup({
    input: 'virtual:entry',
    plugins: browserPlugins({ entry: code }),
    external,
    onwarn: () => {},
  })
  const { output } = await build.generate({ format: 'es', inlineDynamicImports: inline })
  await build.close()
  const all = output.filter((c) => c.type === 'chunk')
  const start = staticClosure(all.find((c) => c.isEntry), all)
  const lazy = (file) => {
    const chunk = all.find((c) => c.isDynamicEntry && c.moduleIds.some((id) => id.endsWith(`/client/dist/${file}`)))
    return chunk ? staticClosure(chunk, all).filter((c) => !start.includes(c)) : []
  }
  return { start, lazy }
}

/** min and min+gzip of some files, each minified and gzipped on its own (as each is fetched on its own). */
async function filesSize(files) {
  let sum = { min: 0, gzip: 0 }
  for (const f of files) {
    const s = await minGzip(f.code)
    sum = { min: sum.min + s.min, gzip: sum.gzip + s.gzip }
  }
  return sum
}

async function bundle(code, options) {
  const { start } = await chunks(code, options)
  if (start.length !== 1) throw new Error(`expected one file, got ${start.map((c) => c.fileName).join(', ')}`)
  return start[0].code
}

async function minGzip(code) {
  const min = (await minify(code, { ...terserOptions, module: true })).code ?? ''
  return gzipOf(min)
}

function gzipOf(text) {
  return { min: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length }
}

/** Measures everything; sizes in bytes. */
export async function measure() {
  const esm = await readFile(`${root}dist/isomqtt.esm.js`, 'utf8')
  const iife = await readFile(`${root}dist/isomqtt.min.js`, 'utf8')
  const mqttEsm = await readFile(`${root}node_modules/mqtt/dist/mqtt.esm.js`, 'utf8')
  const app = await chunks(minimalApp)
  return {
    esmBundle: gzipOf(esm),
    minBundle: gzipOf(iife),
    minimalApp: await filesSize(app.start),
    ownCode: await filesSize((await chunks(minimalApp, { external: isPolyfill })).start),
    mqtt5: await filesSize(app.lazy('mqtt5.js')),
    request: await filesSize(app.lazy('request-response.js')),
    readableStream: await minGzip(await bundle(readableStreamEntry)),
    fullOwnCode: await minGzip(await bundle(bundleEntry, { external: isPolyfill, inline: true })),
    mqttjs: gzipOf(mqttEsm),
  }
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`.padStart(9)

/** The report as printed by `npm run size` (and kept in the README). */
export function format(m) {
  const row = (name, s, target, ceiling) =>
    `| ${name.padEnd(60)} | ${kb(s.min)} | ${kb(s.gzip)} | ${target ? kb(target) : ''.padStart(9)} | ${ceiling ? kb(ceiling) : ''.padStart(9)} |`
  return [
    `| ${'what (minified with terser, gzip -9)'.padEnd(60)} | ${'min'.padStart(9)} | ${'min+gzip'.padStart(9)} | ${'target'.padStart(9)} | ${'ceiling'.padStart(9)} |`,
    `| ${'-'.repeat(60)} | ${'-'.repeat(9)} | ${'-'.repeat(9)} | ${'-'.repeat(9)} | ${'-'.repeat(9)} |`,
    row('dist/isomqtt.esm.js (full bundle, ES module)', m.esmBundle, targets.fullBundle, ceilings.fullBundle),
    row('dist/isomqtt.min.js (full bundle, IIFE, global isomqtt)', m.minBundle, targets.fullBundle, ceilings.fullBundle),
    row('minimal app (connect, subscribe, publish; wss, MemoryStore)', m.minimalApp, targets.minimalApp, ceilings.minimalApp),
    row('  isomqtt\'s own code in it', m.ownCode, targets.ownCode, ceilings.ownCode),
    row('  + its MQTT 5 chunk, loaded on the first MQTT 5 connect', m.mqtt5),
    row('  + its request() chunk, loaded on the first request()', m.request),
    row('  readable-stream Duplex + buffer, events, string_decoder', m.readableStream),
    row('full bundle without readable-stream and its polyfills', m.fullOwnCode),
    row('MQTT.js 5.16 dist/mqtt.esm.js (as shipped)', m.mqttjs),
  ].join('\n')
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Decodes a source map's `mappings` into [generated line][] of [column, source index] (names and origins dropped). */
function decodeMappings(mappings) {
  const lines = []
  let source = 0
  for (const line of mappings.split(';')) {
    const segments = []
    let column = 0
    for (const segment of line.split(',')) {
      if (segment === '') continue
      const fields = []
      let value = 0
      let shift = 0
      for (const ch of segment) {
        const digit = BASE64.indexOf(ch)
        value += (digit & 31) << shift
        if (digit & 32) { shift += 5; continue }
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
        value = 0
        shift = 0
      }
      column += fields[0]
      if (fields.length > 1) source += fields[1]
      segments.push([column, fields.length > 1 ? source : -1])
    }
    lines.push(segments)
  }
  return lines
}

/**
 * Where the bytes of a bundle of `code` go, source-map-explorer style: every byte of the minified files is
 * charged to the module its source map points at; each module's bytes are gzipped on their own and the gzip
 * shares scaled so they add up to the files' real min+gzip. `which`: 'start' (the files an app loads at start),
 * 'inline' (one file, as dist/), or a lazy client module (e.g. 'mqtt5.js': what its dynamic import fetches).
 */
export async function breakdown(code, which = 'start') {
  const build = await rollup({ input: 'virtual:entry', plugins: browserPlugins({ entry: code }), onwarn: () => {} })
  const { output } = await build.generate({ format: 'es', sourcemap: true, sourcemapExcludeSources: true, inlineDynamicImports: which === 'inline' })
  await build.close()
  const all = output.filter((c) => c.type === 'chunk')
  const start = staticClosure(all.find((c) => c.isEntry), all)
  const lazy = all.find((c) => c.isDynamicEntry && c.moduleIds.some((id) => id.endsWith(`/client/dist/${which}`)))
  const files = which === 'start' || which === 'inline' ? start : staticClosure(lazy, all).filter((c) => !start.includes(c))
  const text = new Map()
  const total = { min: 0, gzip: 0 }
  for (const file of files) {
    const minified = await minify(file.code, { ...terserOptions, module: true, sourceMap: { content: file.map, asObject: true } })
    const lines = minified.code.split('\n')
    decodeMappings(minified.map.mappings).forEach((segments, i) => {
      segments.forEach(([column, source], j) => {
        const name = source < 0 ? '(bundle glue)' : minified.map.sources[source]
        const end = j + 1 < segments.length ? segments[j + 1][0] : lines[i].length
        text.set(name, (text.get(name) ?? '') + lines[i].slice(column, end))
      })
    })
    const size = gzipOf(minified.code)
    total.min += size.min
    total.gzip += size.gzip
  }
  const rows = [...text].map(([id, t]) => ({
    name: id.replace(/^\0/, '').replace(/.*node_modules\//, '').replace(/^(.*\/)?packages\/([^/]+)\/dist\//, '@isomqtt/$2/'),
    ...gzipOf(t),
  }))
  const gzipScale = total.gzip / rows.reduce((sum, r) => sum + r.gzip, 0)
  const scaled = rows.map((r) => ({ ...r, gzip: r.gzip * gzipScale }))
  const packages = new Map()
  for (const r of scaled) {
    const name = r.name.startsWith('@') ? r.name.split('/').slice(0, 2).join('/') : r.name.split(/[/?]/)[0]
    const sum = packages.get(name) ?? { min: 0, gzip: 0 }
    sum.min += r.min
    sum.gzip += r.gzip
    packages.set(name, sum)
  }
  const byGzip = (a, b) => b.gzip - a.gzip
  return { total, packages: [...packages].map(([name, s]) => ({ name, ...s })).sort(byGzip), modules: scaled.sort(byGzip) }
}

function formatBreakdown(b) {
  const line = (r) => `| ${r.name.padEnd(58)} | ${kb(r.min)} | ${kb(r.gzip)} |`
  const head = (what) => [`| ${what.padEnd(58)} | ${'min'.padStart(9)} | ${'min+gzip'.padStart(9)} |`, `| ${'-'.repeat(58)} | ${'-'.repeat(9)} | ${'-'.repeat(9)} |`]
  return [
    ...head('package (estimated share of the bundle)'), ...b.packages.map(line), line({ name: 'total', ...b.total }), '',
    ...head('module (200 B min+gzip or more)'), ...b.modules.filter((r) => r.gzip >= 200).map(line),
  ].join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const m = await measure()
  console.log(format(m))
  const share = Math.round((100 * m.readableStream.gzip) / m.minimalApp.gzip)
  console.log(`\nreadable-stream and its polyfills are ${share}% of the minimal app (min+gzip).`)
  const modules = process.argv.find((a) => a.startsWith('--modules'))
  if (modules) {
    const which = modules.split('=')[1]
    const what = { full: 'full bundle', mqtt5: 'minimal app\'s lazy MQTT 5 chunk' }[which] ?? 'minimal app (at start)'
    console.log(`\nWhere the bytes of the ${what} go:\n`)
    console.log(formatBreakdown(await (which === 'full' ? breakdown(bundleEntry, 'inline') : breakdown(minimalApp, which === 'mqtt5' ? 'mqtt5.js' : 'start'))))
  }
}
