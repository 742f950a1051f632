// What scripts rely on: the CLI's exit codes and one-line error messages, and --help for each command.
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startMosquitto, type Mosquitto } from '../../../tests/support/mosquitto.js'
import { isomqtt } from './cli-helpers.js'

let broker: Mosquitto
const hp = (): string[] => ['-h', '127.0.0.1', '-p', String(broker.port)]

beforeAll(async () => { broker = await startMosquitto({ users: { alice: 'opensesame' } }) })
afterAll(async () => { await broker?.stop() })

describe('exit codes', () => {
  it('2 with the broker\'s reason when the connection is refused, and never the password', async () => {
    const r = await isomqtt(['pub', ...hp(), '-u', 'alice', '-P', 'wrong-secret-123', '-t', 'x', '-m', 'm']).done()
    expect(r.code).toBe(2)
    // Mosquitto 2 answers a wrong password with "not authorized" (return code 5).
    expect(r.stderr).toBe(`isomqtt: cannot connect to 127.0.0.1:${broker.port}: connection refused: not authorized (NOT_AUTHORIZED)\n`)
    expect(r.stdout + r.stderr).not.toContain('wrong-secret-123')
  })

  it('0 with the right credentials', async () => {
    const r = await isomqtt(['pub', ...hp(), '-u', 'alice', '-P', 'opensesame', '-t', 'x', '-m', 'm', '-q', '1']).done()
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' })
  })

  it('2 when nothing listens on the port', async () => {
    const port = await freePort()
    const r = await isomqtt(['sub', '-h', '127.0.0.1', '-p', String(port), '-t', 'x']).done()
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`^isomqtt: cannot connect to 127\\.0\\.0\\.1:${port}: connection refused .*\\(CONNECTION_REFUSED, ECONNREFUSED\\)\\n$`))
  })

  describe('against a server that accepts TCP and never answers', () => {
    let server: Server
    const sockets = new Set<Socket>()
    beforeAll(async () => {
      server = createServer((s) => { sockets.add(s); s.on('error', () => {}) })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    })
    afterAll(async () => {
      for (const s of sockets) s.destroy()
      await new Promise((r) => server.close(r))
    })

    it('3 when no CONNACK comes within --connect-timeout', async () => {
      const { port } = server.address() as { port: number }
      const r = await isomqtt(['pub', '-h', '127.0.0.1', '-p', String(port), '--connect-timeout', '1', '-t', 'x', '-m', 'm']).done()
      expect(r.code).toBe(3)
      expect(r.stderr).toMatch(/^isomqtt: cannot connect to 127\.0\.0\.1:\d+: no CONNACK .* \(TIMEOUT\)\n$/)
    })
  })

  it('3 when -W runs out before -C messages arrived', async () => {
    const r = await isomqtt(['sub', ...hp(), '-u', 'alice', '-P', 'opensesame', '-t', 'silent/#', '-C', '1', '-W', '1']).done()
    expect(r.code).toBe(3)
    expect(r.stderr).toBe('isomqtt: timed out after 1 s with 0 message(s)\n')
  })

  it('1 for usage errors, naming the problem', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['pub', '-t', 'x'], /exactly one of -m MESSAGE, --file FILE, --stdin, -n/],
      [['pub', '--bogus'], /Unknown option '--bogus'/],
      [['sub', '-t', 'x', '-q', '3'], /-q takes 0, 1 or 2/],
      [['sub'], /sub needs a filter/],
      [['pub', '-t', 'x', '-m', 'm', '-V', '6'], /-V takes 3\|4\|5/],
      [['pub', '-t', 'x', '-m', 'm', '--user-property', 'a=b'], /user properties need MQTT 5/],
      [['pub', '-t', 'x', '-m', 'm', '-c'], /-c \(persistent session\) needs a client id/],
      [['bench', 'nope'], /bench needs a mode/],
      [['frobnicate'], /unknown command "frobnicate"/],
    ]
    for (const [args, message] of cases) {
      const r = await isomqtt(args).done()
      expect({ args, code: r.code }).toEqual({ args, code: 1 })
      expect(r.stderr).toMatch(message)
    }
  })

  it('1 for a URL without a scheme, saying which URL was meant', async () => {
    const r = await isomqtt(['sub', '-L', `localhost:${broker.port}`, '-t', 'x']).done()
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`isomqtt: unsupported URL scheme 'localhost': use mqtt, mqtts, ws or wss (or tcp, ssl, tls, unix) (did you mean mqtt://localhost:${broker.port}?) (INVALID_ARGUMENT)\n`)
  })

  it('1 for a topic with wildcards on pub, 5 for an unreadable --file', async () => {
    const bad = await isomqtt(['pub', ...hp(), '-u', 'alice', '-P', 'opensesame', '-t', 'a/#', '-m', 'm']).done()
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^isomqtt: publish failed: .*\(INVALID_TOPIC\)\n$/)
    // One line: the command closing its own client is not a connection that gave up reconnecting.
    const badFilter = await isomqtt(['sub', ...hp(), '-u', 'alice', '-P', 'opensesame', '-t', 'a/#/b']).done()
    expect(badFilter.code).toBe(1)
    expect(badFilter.stderr).toMatch(/^isomqtt: subscribe failed: .*\(INVALID_TOPIC\)\n$/)
    const missing = await isomqtt(['pub', ...hp(), '-t', 'a', '--file', '/nonexistent/file']).done()
    expect(missing.code).toBe(5)
    expect(missing.stderr).toMatch(/^isomqtt: cannot read \/nonexistent\/file: .*ENOENT/)
  })
})

describe('--help', () => {
  it('documents every command, its options and the exit codes, exiting 0', async () => {
    for (const [command, mustMention] of [['sub', ['-t, --topic', '--json', '-C, --count']], ['pub', ['--stdin', '-r, --retain', '--file']], ['bench', ['bench pub', '-w, --window']]] as const) {
      const r = await isomqtt([command, '--help']).done()
      expect(r.code).toBe(0)
      for (const text of [...mustMention, '-L, --url', '--cafile', '--will-topic', '-V, --protocol-version', 'Exit codes:', '3  timeout']) {
        expect(r.stdout).toContain(text)
      }
    }
    const top = await isomqtt(['--help']).done()
    expect(top.code).toBe(0)
    expect(top.stdout).toContain('isomqtt sub -t FILTER')
  })
})
