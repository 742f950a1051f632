// The isomqtt CLI against Mosquitto with mosquitto_pub / mosquitto_sub on the other end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMosquitto, type Mosquitto } from '../../../tests/support/mosquitto.js'
import { connect } from '../src/index.js'
import { isomqtt, mosquittoPub, mosquittoSub, subscribedMosquittoSub } from './cli-helpers.js'
import { until } from './helpers.js'

let broker: Mosquitto
let n = 0
const topic = (): string => `cli/${process.pid}/${n++}`
const hp = (): string[] => ['-h', '127.0.0.1', '-p', String(broker.port)]

beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

describe('isomqtt pub', () => {
  it('publishes a QoS 1 message that mosquitto_sub receives', async () => {
    const t = topic()
    const sub = await subscribedMosquittoSub(broker.port, t, 1)
    const pub = await isomqtt(['pub', ...hp(), '-t', t, '-m', 'hello from isomqtt', '-q', '1']).done()
    expect(pub).toMatchObject({ code: 0, stderr: '' })
    const got = await sub.done()
    expect(got.code).toBe(0)
    expect(got.stdout.split('\n')).toContain(`${t} hello from isomqtt`)
  })

  it('--stdin publishes one message per line, in order, the last line without a newline too', async () => {
    const t = topic()
    const sub = await subscribedMosquittoSub(broker.port, t, 3)
    const pub = await isomqtt(['pub', ...hp(), '-t', t, '--stdin', '-q', '2'], 'one\ntwo words\nthree').done()
    expect(pub.code).toBe(0)
    const lines = (await sub.done()).stdout.trim().split('\n')
    expect(lines).toEqual([`${t} marker`, `${t} one`, `${t} two words`, `${t} three`])
  })

  it('takes the server and topic from an mqtt:// URL with -L, and retains with -r', async () => {
    const t = topic()
    const pub = await isomqtt(['pub', '-L', `mqtt://127.0.0.1:${broker.port}/${t}`, '-m', 'kept', '-r']).done()
    expect(pub.code).toBe(0)
    const sub = await mosquittoSub([...hp(), '-t', t, '-C', '1', '-v']).done()
    expect(sub.stdout).toBe(`${t} kept\n`)
  })
})

describe('isomqtt pub --stdin through a broker restart', () => {
  it('reconnects, and lines read while the broker is down are delivered once it is back (QoS 1)', async () => {
    const own = await startMosquitto({ persistence: true })
    const t = topic()
    // A subscriber whose session (and the messages queued for it) survives the restart.
    const got: string[] = []
    const subscriber = await connect(own.url, { clientId: `cli-sub-${process.pid}`, clean: false, reconnect: { minDelayMs: 50, maxDelayMs: 200 } })
    await subscriber.subscribe(t, (m) => { got.push(m.text()) }, { qos: 1 })
    const pub = isomqtt(['pub', '-h', '127.0.0.1', '-p', String(own.port), '-t', t, '--stdin', '-q', '1'])
    try {
      pub.child.stdin!.write('one\n')
      await until(() => got.length === 1, 20_000)
      await own.stopProcess()
      await pub.errLine((l) => l.startsWith('isomqtt: connection lost:') && l.endsWith(', reconnecting'))
      pub.child.stdin!.write('two\n')
      await own.start()
      await pub.errLine((l) => l === 'isomqtt: reconnected')
      pub.child.stdin!.end('three\n')
      const done = await pub.done()
      expect(done.code).toBe(0)
      await until(() => got.length === 3, 20_000)
      expect(got).toEqual(['one', 'two', 'three'])
    } finally {
      await subscriber.disconnect()
      await own.stop()
    }
  })
})

describe('isomqtt sub', () => {
  /** `isomqtt sub -v` on `t` against `own`, known to be subscribed (it printed a retained marker). */
  async function subscribedSub(own: Mosquitto, t: string, extra: string[] = []) {
    await mosquittoPub(['-h', '127.0.0.1', '-p', String(own.port), '-t', t, '-m', 'marker', '-r']).done()
    const sub = isomqtt(['sub', '-h', '127.0.0.1', '-p', String(own.port), '-t', t, '-v', '-q', '1', ...extra])
    await sub.line((l) => l === `${t} marker`)
    return sub
  }

  it('reconnects after a broker restart, resubscribes and goes on printing, saying so on stderr', async () => {
    const own = await startMosquitto()
    try {
      const t = topic()
      const sub = await subscribedSub(own, t)
      await own.restart()
      await sub.errLine((l) => l === 'isomqtt: reconnected')
      expect((await mosquittoPub(['-h', '127.0.0.1', '-p', String(own.port), '-t', t, '-m', 'after', '-q', '1']).done()).code).toBe(0)
      await sub.line((l) => l === `${t} after`)
      sub.child.kill('SIGINT')
      const got = await sub.done()
      expect(got.code).toBe(0)
      expect(got.stderr).toMatch(/^isomqtt: connection lost: .*, reconnecting\nisomqtt: reconnected\n$/)
    } finally {
      await own.stop()
    }
  })

  it('--no-reconnect exits with code 4 when the connection is lost', async () => {
    const own = await startMosquitto()
    try {
      const sub = await subscribedSub(own, topic(), ['--no-reconnect'])
      await own.stopProcess()
      const got = await sub.done()
      expect(got.code).toBe(4)
      expect(got.stderr).toMatch(/^isomqtt: connection lost: .*\n$/)
    } finally {
      await own.stop()
    }
  })

  it('prints what mosquitto_pub publishes: payloads, or "topic payload" with -v', async () => {
    const t = topic()
    await mosquittoPub([...hp(), '-t', `${t}/ready`, '-m', 'marker', '-r']).done()
    const sub = isomqtt(['sub', ...hp(), '-t', `${t}/#`, '-v', '-q', '1', '-C', '3'])
    await sub.line((l) => l === `${t}/ready marker`)
    expect((await mosquittoPub([...hp(), '-t', `${t}/a`, '-m', 'first', '-q', '1']).done()).code).toBe(0)
    expect((await mosquittoPub([...hp(), '-t', `${t}/b`, '-m', 'second']).done()).code).toBe(0)
    const got = await sub.done()
    expect(got.code).toBe(0)
    expect(got.stdout).toBe(`${t}/ready marker\n${t}/a first\n${t}/b second\n`)
  })

  it('--json prints one object per line, base64 for payloads that are not UTF-8', async () => {
    const t = topic()
    await mosquittoPub([...hp(), '-t', `${t}/ready`, '-m', 'marker', '-r']).done()
    const sub = isomqtt(['sub', ...hp(), '-t', `${t}/#`, '--json', '-C', '2'])
    await sub.line((l) => l.includes('"marker"'))
    // 0xff and 0xfe never occur in UTF-8.
    expect((await mosquittoPub([...hp(), '-t', `${t}/bin`, '-s'], Uint8Array.of(0xff, 0xfe, 0x41)).done()).code).toBe(0)
    const got = await sub.done()
    expect(got.code).toBe(0)
    const lines = got.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines[0]).toEqual({ topic: `${t}/ready`, qos: 0, retain: true, payload: 'marker' })
    expect(lines[1]).toMatchObject({ topic: `${t}/bin`, qos: 0, retain: false })
    expect([...Buffer.from(lines[1]!.payloadBase64 as string, 'base64')]).toEqual([0xff, 0xfe, 0x41])
    expect(lines[1]!.payload).toBeUndefined()
  })

  it('MQTT 5 (-V 5) carries --user-property on each published message to an MQTT 5 subscriber', async () => {
    const t = topic()
    await mosquittoPub([...hp(), '-t', `${t}/ready`, '-m', 'marker', '-r']).done()
    const sub = isomqtt(['sub', ...hp(), '-V', 'mqttv5', '-t', `${t}/#`, '--json', '-C', '2'])
    await sub.line((l) => l.includes('"marker"'))
    const pub = await isomqtt(['pub', ...hp(), '-V', '5', '-t', `${t}/p`, '-m', 'with props', '--user-property', 'site=lab', '-D', 'publish', 'user-property', 'k', 'v']).done()
    expect(pub.code).toBe(0)
    const got = await sub.done()
    const last = JSON.parse(got.stdout.trim().split('\n')[1]!) as Record<string, unknown>
    expect(last).toMatchObject({ topic: `${t}/p`, payload: 'with props' })
    expect(last.userProperties).toEqual([['k', 'v'], ['site', 'lab']])
  })
})
