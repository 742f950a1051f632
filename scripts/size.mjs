#!/usr/bin/env node
// `npm run size`: minified and gzipped sizes of the browser bundles, of a minimal app, of readable-stream's
// share, and of MQTT.js 5's dist/mqtt.esm.js measured the same way. Needs `npm run build` first.
// Also imported by tests/support/size-budget.test.ts, which fails when a budget below is exceeded.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { rollup } from 'rollup'
import { minify } from 'terser'
import { browserPlugins, bundleEntry } from '../rollup.config.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Budgets in bytes of min+gzip (1 KB = 1000 bytes, as bundle-size tools count). */
export const budgets = { ownCode: 12_000, minimalApp: 48_000, fullBundle: 55_000 }

/** The minimal app: connect over wss, subscribe, publish, with the MemoryStore. */
export const minimalApp = `
import { connect } from '@isomqtt/client'
import { MemoryStore } from '@isomqtt/store'
const client = await connect('wss://broker.example/mqtt', { store: new MemoryStore() })
await client.subscribe('sensors/+', (msg) => console.log(msg.topic, msg.text()), { qos: 1 })
await client.publish('sensors/t1', '21.5', { qos: 1 })
`

// Everything readable-stream brings along: itself and the Node polyfills it needs.
const POLYFILLS = ['readable-stream', 'buffer', 'events', 'base64-js', 'ieee754', 'abort-controller', 'event-target-shim',
  'string_decoder', 'safe-buffer']
const isPolyfill = (id) => POLYFILLS.some((name) => id === name || id.startsWith(`${name}/`))

async function bundle(code, { external } = {}) {
  const build = await rollup({
    input: 'virtual:entry',
    plugins: browserPlugins({ entry: code }),
    external,
    onwarn: () => {},
  })
  const { output } = await build.generate({ format: 'es' })
  await build.close()
  return output[0].code
}

async function minGzip(code) {
  const min = (await minify(code, { ecma: 2020, module: true })).code ?? ''
  return { min: Buffer.byteLength(min), gzip: gzipSync(min, { level: 9 }).length }
}

function gzipOf(text) {
  return { min: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length }
}

/** Measures everything; sizes in bytes. */
export async function measure() {
  const esm = await readFile(`${root}dist/isomqtt.esm.js`, 'utf8')
  const iife = await readFile(`${root}dist/isomqtt.min.js`, 'utf8')
  const mqttEsm = await readFile(`${root}node_modules/mqtt/dist/mqtt.esm.js`, 'utf8')
  return {
    esmBundle: gzipOf(esm),
    minBundle: gzipOf(iife),
    minimalApp: await minGzip(await bundle(minimalApp)),
    ownCode: await minGzip(await bundle(minimalApp, { external: isPolyfill })),
    readableStream: await minGzip(await bundle("export { Duplex } from 'readable-stream'")),
    fullOwnCode: await minGzip(await bundle(bundleEntry, { external: isPolyfill })),
    mqttjs: gzipOf(mqttEsm),
  }
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`.padStart(9)

/** The report as printed by `npm run size` (and kept in the README). */
export function format(m) {
  const row = (name, s, budget) =>
    `| ${name.padEnd(60)} | ${kb(s.min)} | ${kb(s.gzip)} | ${budget ? kb(budget) : ''.padStart(9)} |`
  return [
    `| ${'what (minified with terser, gzip -9)'.padEnd(60)} | ${'min'.padStart(9)} | ${'min+gzip'.padStart(9)} | ${'budget'.padStart(9)} |`,
    `| ${'-'.repeat(60)} | ${'-'.repeat(9)} | ${'-'.repeat(9)} | ${'-'.repeat(9)} |`,
    row('dist/isomqtt.esm.js (full bundle, ES module)', m.esmBundle, budgets.fullBundle),
    row('dist/isomqtt.min.js (full bundle, IIFE, global isomqtt)', m.minBundle, budgets.fullBundle),
    row('minimal app (connect, subscribe, publish; wss, MemoryStore)', m.minimalApp, budgets.minimalApp),
    row('  isomqtt\'s own code in it', m.ownCode, budgets.ownCode),
    row('  readable-stream Duplex + buffer, events, process', m.readableStream),
    row('full bundle without readable-stream and its polyfills', m.fullOwnCode),
    row('MQTT.js 5.16 dist/mqtt.esm.js (as shipped)', m.mqttjs),
  ].join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const m = await measure()
  console.log(format(m))
  const share = Math.round((100 * m.readableStream.gzip) / m.minimalApp.gzip)
  console.log(`\nreadable-stream and its polyfills are ${share}% of the minimal app (min+gzip).`)
}
