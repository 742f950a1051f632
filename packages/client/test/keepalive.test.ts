// Keepalive against Mosquitto: PINGREQ when idle, PINGRESP keeps the connection; no client timer keeps a
// Node process alive after disconnect() or destroy(). (A missing PINGRESP: scripted-peer-edge-cases.)
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../src/index.js'
import { startMosquitto, traceCollector, uniqueId, until, type Mosquitto } from './helpers.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

describe('keepalive', () => {
  for (const protocolVersion of [3, 4] as const) {
    it(`MQTT ${protocolVersion === 3 ? '3.1' : '3.1.1'}: pings an idle connection and stays connected on PINGRESP`, async () => {
      const trace = traceCollector()
      const client = await connect(broker.url, { protocolVersion, clientId: uniqueId(), keepalive: 1, trace: { level: 'verbose', sink: trace.sink } })
      const pingresps = () => trace.entries.filter((e) => e.component === 'pinger' && e.message === 'PINGRESP').length
      await until(() => pingresps() >= 2, 10_000)
      expect(trace.entries.filter((e) => e.message === 'send PINGREQ').length).toBeGreaterThanOrEqual(2)
      expect(client.connected).toBe(true)
      await client.disconnect()
    })
  }

  for (const how of ['disconnect', 'destroy'] as const) {
    it(`a Node process exits on its own after ${how}()`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'packages/client/test/fixtures/connect-then-close.ts'), broker.url, how], {
        cwd: root, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'examples/node/tsconfig.json') }, stdio: ['ignore', 'pipe', 'inherit'],
      })
      let out = ''
      child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
      expect(out).toContain(`closed by ${how}`)
      expect(code).toBe(0)
    })
  }
})
