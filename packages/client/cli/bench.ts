// `isomqtt bench pub|sub`: throughput against a real broker, a live progress line on stderr and a summary.
import type { QoS } from '@isomqtt/client'
import { parseCount, parseQos } from './connection-args.js'
import { CliError, describeError, ExitCode, usage } from './exit-codes.js'
import { interrupted, open, parseCommand, resolveConnection } from './session.js'

const OWN = {
  topic: { type: 'string', short: 't' },
  count: { type: 'string', short: 'n' },
  size: { type: 'string', short: 's' },
  qos: { type: 'string', short: 'q' },
  window: { type: 'string', short: 'w' },
  timeout: { type: 'string', short: 'W' },
  json: { type: 'boolean' },
} as const

/** The final figures of a bench run. */
export interface BenchSummary { mode: 'pub' | 'sub'; messages: number; bytes: number; qos: QoS; seconds: number; rate: number }

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')

/** A progress line on stderr: rewritten in place on a terminal, one line a second otherwise. */
function progress(mode: string, total: number, done: () => number): () => void {
  const tty = process.stderr.isTTY === true
  const start = performance.now()
  let last = 0
  const tick = (final = false): void => {
    const n = done()
    const s = (performance.now() - start) / 1000
    const line = `${mode}: ${fmt(n)}/${fmt(total)} messages, ${fmt(s > 0 ? n / s : 0)} msg/s`
    if (tty) process.stderr.write(`\r${line}\x1b[K`)
    else if (final || s - last >= 1) { process.stderr.write(`${line}\n`); last = s }
  }
  const timer = setInterval(() => tick(), tty ? 200 : 1000)
  return () => { clearInterval(timer); tick(true); if (tty) process.stderr.write('\n') }
}

/** Runs `isomqtt bench pub|sub`; resolves with the exit code. */
export async function bench(argv: string[], print: (s: string) => void): Promise<number> {
  const p = parseCommand(argv, OWN, true)
  const mode = p.positionals[0]
  if (mode !== 'pub' && mode !== 'sub') throw usage('bench needs a mode: isomqtt bench pub|sub')
  if (p.positionals.length > 1) throw usage(`unexpected argument ${JSON.stringify(p.positionals[1])}`)
  const v = p.values as typeof p.values & { topic?: string; count?: string; size?: string; qos?: string; window?: string; timeout?: string; json?: boolean }
  const { url, options, topicFromUrl } = resolveConnection(p, mode === 'sub')
  const topic = v.topic ?? topicFromUrl ?? 'isomqtt/bench'
  const total = parseCount(v.count, '-n', 100_000, 1)
  const size = parseCount(v.size, '-s', 64)
  const qos = parseQos(v.qos)
  const window = parseCount(v.window, '-w', 1000, 1)
  const timeoutS = parseCount(v.timeout, '-W', 0, 1)

  const client = await open(url, { ...options, maxInflight: Math.min(window, 65535) })
  const stop = interrupted()
  let done = 0
  let bytes = 0
  let outcome!: (code: number) => void
  const ended = new Promise<number>((r) => { outcome = r })
  client.on('connectionLost', (err) => { process.stderr.write(`isomqtt: connection lost: ${describeError(err)}\n`); outcome(ExitCode.Failed) })
  void stop.signal.then(() => outcome(ExitCode.Ok))
  const timer = timeoutS > 0 ? setTimeout(() => { process.stderr.write(`isomqtt: timed out after ${timeoutS} s\n`); outcome(ExitCode.Timeout) }, timeoutS * 1000) : undefined
  let start = performance.now()
  let finish = start
  const stopProgress = progress(`bench ${mode}`, total, () => done)
  try {
    if (mode === 'sub') {
      await client.subscribe(topic, (m) => {
        if (done === 0) start = performance.now()
        done++
        bytes += m.payload.length
        if (done === total) { finish = performance.now(); outcome(ExitCode.Ok) }
      }, { qos })
      process.stderr.write(`bench sub: subscribed to ${topic}, waiting for ${fmt(total)} messages\n`)
    } else {
      const payload = new Uint8Array(size).fill(0x78)
      start = performance.now()
      void publishAll(total, qos === 0 ? total : window, (onDone) => {
        client.publish(topic, payload, { qos }).then(() => { done++; bytes += size; onDone() }, (err: unknown) => {
          process.stderr.write(`isomqtt: publish failed: ${describeError(err)}\n`)
          outcome(ExitCode.Failed)
        })
      }).then(() => { finish = performance.now(); outcome(ExitCode.Ok) })
    }
  } catch (err) {
    stopProgress()
    client.destroy()
    throw new CliError(ExitCode.Failed, `bench ${mode} failed: ${describeError(err)}`, { cause: err })
  }
  const code = await ended
  if (finish === start || done < total) finish = performance.now()
  stopProgress()
  stop.stop()
  if (timer) clearTimeout(timer)
  const seconds = (finish - start) / 1000
  const summary: BenchSummary = { mode, messages: done, bytes, qos, seconds: +seconds.toFixed(3), rate: Math.round(seconds > 0 ? done / seconds : 0) }
  print(v.json ? JSON.stringify(summary) : `bench ${mode}: ${fmt(done)} messages (${fmt(bytes)} bytes) at QoS ${qos} in ${seconds.toFixed(2)} s: ${fmt(summary.rate)} msg/s`)
  await client.disconnect()
  return code
}

/** Starts `total` operations keeping at most `window` unfinished; QoS 0 starts them all at once. */
function publishAll(total: number, window: number, start: (onDone: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let started = 0
    let finished = 0
    const onDone = (): void => {
      if (++finished === total) resolve()
      else if (started < total) { started++; start(onDone) }
    }
    const first = Math.min(window, total)
    for (let i = 0; i < first; i++) { started++; start(onDone) }
  })
}
