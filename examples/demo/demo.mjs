#!/usr/bin/env node
// `npm run demo`: an embedded MQTT broker (aedes, TCP and WebSocket on loopback), a simulated sensor
// publisher using isomqtt in Node, and the dashboard served on loopback; prints the dashboard's URL.
//   --broker URL   use another broker instead (mqtt://, mqtts://, ws:// or wss://)
//   --ws-url URL   the WebSocket URL the dashboard uses (default: the embedded broker, or --broker if ws/wss)
//   --port N       the dashboard's port (default: a free one)
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = fileURLToPath(new URL('../../', import.meta.url))

const { values } = parseArgs({
  options: {
    broker: { type: 'string' },
    'ws-url': { type: 'string' },
    port: { type: 'string', default: '0' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  console.log('usage: npm run demo [-- --broker URL] [--ws-url URL] [--port N]')
  process.exit(0)
}

// A fresh clone has no build output yet: build once (tsc -b, then the browser bundles).
if (!existsSync(`${root}dist/isomqtt.esm.js`) || !existsSync(`${root}packages/client/dist/index.js`)) {
  console.log('demo: building isomqtt first (npm run build)…')
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const { startEmbeddedBroker } = await import('./embedded-broker.mjs')
const { startSensors } = await import('./sensors.mjs')
const { startStaticServer } = await import('../../scripts/static-server.mjs')

const closers = []
let brokerUrl = values.broker
let wsUrl = values['ws-url']
if (!brokerUrl) {
  const broker = await startEmbeddedBroker()
  closers.push(() => broker.close())
  brokerUrl = broker.mqttUrl
  wsUrl ??= broker.wsUrl
  console.log(`demo: embedded broker on ${broker.mqttUrl} and ${broker.wsUrl}`)
} else if (!wsUrl && /^wss?:/.test(brokerUrl)) {
  wsUrl = brokerUrl
}
if (!wsUrl) {
  console.warn(`demo: browsers need WebSocket; pass --ws-url for ${brokerUrl} (the dashboard's URL field can be changed too)`)
}

const sensors = await startSensors(brokerUrl, { log: (line) => console.warn(line) })
closers.unshift(() => sensors.stop())
console.log(`demo: sensors publishing to ${brokerUrl} (sensors/<room>/temperature, humidity, front-door, heartbeat)`)

const params = new URLSearchParams({ filter: 'sensors/#', connect: '1', ...(wsUrl ? { url: wsUrl } : {}) })
const dashboard = `/examples/dashboard/?${params}`
const server = await startStaticServer({ root, port: Number(values.port), redirects: { '/': dashboard } })
closers.push(() => server.close())
console.log(`demo: dashboard at ${server.url}${dashboard}`)
console.log('demo: press Ctrl+C to stop')

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  for (const close of closers) await close().catch(() => {})
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
