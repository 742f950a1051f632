// Keepalive against Mosquitto: PINGREQ when idle, PINGRESP keeps the connection; no client timer keeps a
// Node process alive after disconnect() or destroy(), and a client waiting to reconnect does keep it alive.
// (A missing PINGRESP: scripted-peer-edge-cases.)
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../src/index.js'
import { startMosquitto, traceCollector, uniqueId, uniqueTopic, until, type Mosquitto } from './helpers.js'
import { mosquittoPub } from './cli-helpers.js'

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

  it('a Node process whose only work is a subscription stays alive while its client waits to reconnect', async () => {
    const clientId = uniqueId('svc')
    const topic = uniqueTopic('svc')
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'packages/client/test/fixtures/subscribe-until-quit.ts'), broker.url, clientId, topic], {
      cwd: root, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'examples/node/tsconfig.json') }, stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    await until(() => out.includes('subscribed\n'), 20_000)
    // A client with the same id takes the session over: Mosquitto closes the child's connection, and the child
    // waits 300 ms with no socket open before it reconnects (and takes the session back).
    const hp = ['-h', '127.0.0.1', '-p', String(broker.port)]
    expect((await mosquittoPub([...hp, '-i', clientId, '-t', `${topic}-elsewhere`, '-m', 'x']).done()).code).toBe(0)
    await until(() => out.includes('reconnected\n'), 20_000)
    expect((await mosquittoPub([...hp, '-t', topic, '-m', 'quit', '-q', '1']).done()).code).toBe(0)
    expect(await exited).toBe(0)
    expect(out).toBe('subscribed\nreconnecting\nreconnected\ngot quit\n')
  }, 30_000)
})
