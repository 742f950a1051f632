// QoS 2 exactly once across a subscriber crash: the process is killed inside the handler of a QoS 2 message,
// before its PUBREC, and started again with the same FileStore and session. The server redelivers the
// message (it never saw a PUBREC); the restarted client finds its id in the store and acknowledges it
// without delivering it a second time.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connect } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { runFixture } from './resilience-helpers.js'

const subscriber = (args: string[], onLine?: (line: string) => void) => runFixture('qos2-subscriber-crash.ts', args, onLine).exited

let broker: Mosquitto
let dir: string
beforeAll(async () => {
  broker = await startMosquitto()
  dir = await mkdtemp(join(tmpdir(), 'isomqtt-q2crash-'))
})
afterAll(async () => {
  await broker?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

it('a QoS 2 message whose handler the process died in is not delivered again after the restart', async () => {
  const topic = uniqueTopic('q2crash')
  const clientId = uniqueId('q2crash')
  const pub = await connect(broker.url, { clientId: uniqueId('q2pub') })
  const subscribed = signal()
  const first = subscriber(['crash', broker.url, dir, clientId, topic], (line) => { if (line === 'subscribed') subscribed.resolve() })
  await subscribed.promise
  await pub.publish(topic, 'once', { qos: 2 })
  const crashed = await first
  expect(crashed).toEqual({ lines: ['subscribed', 'got once'], exit: 'SIGKILL' })
  // The restarted subscriber gets the session's redelivery of 'once' first, then 'end'.
  const second = subscriber(['resume', broker.url, dir, clientId, topic], (line) => {
    if (line === 'subscribed') void pub.publish(topic, 'end', { qos: 2 })
  })
  const resumed = await second
  expect(resumed.exit).toBe(0)
  expect(resumed.lines.filter((l) => l.startsWith('got '))).toEqual(['got end'])
  await pub.disconnect()
}, 60_000)
