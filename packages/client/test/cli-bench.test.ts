// `isomqtt bench pub|sub` against Mosquitto: counts every message, reports progress on stderr, sums up on stdout.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startMosquitto, type Mosquitto } from '../../../tests/support/mosquitto.js'
import { isomqtt } from './cli-helpers.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

it('bench sub counts exactly what bench pub sent, at QoS 1, and both print a JSON summary', async () => {
  const url = `mqtt://127.0.0.1:${broker.port}`
  const sub = isomqtt(['bench', 'sub', '-L', url, '-t', 'cli/bench', '-n', '5000', '-q', '1', '--json'])
  await sub.errLine((l) => l.startsWith('bench sub: subscribed to cli/bench'))
  const pub = await isomqtt(['bench', 'pub', '-L', url, '-t', 'cli/bench', '-n', '5000', '-s', '100', '-q', '1', '-w', '50', '--json']).done()
  expect(pub.code).toBe(0)
  const sent = JSON.parse(pub.stdout) as Record<string, number | string>
  expect(sent).toMatchObject({ mode: 'pub', messages: 5000, bytes: 500_000, qos: 1 })
  expect(sent.rate).toBeGreaterThan(0)
  const got = await sub.done()
  expect(got.code).toBe(0)
  expect(JSON.parse(got.stdout)).toMatchObject({ mode: 'sub', messages: 5000, bytes: 500_000, qos: 1 })
  // The progress line names the count reached (not a terminal here: whole lines).
  expect(got.stderr).toMatch(/bench sub: 5,000\/5,000 messages, [\d,]+ msg\/s/)
})

it('bench pub prints a readable summary without --json', async () => {
  const r = await isomqtt(['bench', 'pub', '-h', '127.0.0.1', '-p', String(broker.port), '-n', '1000']).done()
  expect(r.code).toBe(0)
  expect(r.stdout).toMatch(/^bench pub: 1,000 messages \(64,000 bytes\) at QoS 0 in \d+\.\d\d s: [\d,]+ msg\/s\n$/)
})
