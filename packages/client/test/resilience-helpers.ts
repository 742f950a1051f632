// Shared by the resilience scenarios: a counting subscriber for numbered QoS 1 / QoS 2 streams, the
// publisher's side of the same streams, the figures each scenario prints, and the fixture processes they kill.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createClient, type ClientOptions, type Message, type MqttClient, type PublishResult } from '../src/index.js'

/**
 * Runs `fixtures/<name>` from its TypeScript source in a child process: `onLine` gets its stdout lines as
 * they come; `exited` resolves with its exit code or signal, once its output is read, with every line.
 */
export function runFixture(name: string, args: string[], onLine: (line: string, proc: ChildProcess) => void = () => {}): { proc: ChildProcess; exited: Promise<{ exit: number | string | null; lines: string[] }> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(new URL('./fixtures/tsconfig.json', import.meta.url)) },
  })
  const lines: string[] = []
  createInterface({ input: proc.stdout! }).on('line', (line) => { lines.push(line); onLine(line, proc) })
  const exited = new Promise<{ exit: number | string | null; lines: string[] }>((resolve) => proc.once('close', (code, sig) => resolve({ exit: code ?? sig, lines })))
  return { proc, exited }
}

/** Per-stream tallies on the subscriber side. */
export class StreamTally {
  /** Arrivals per message index. */
  readonly counts: Uint32Array
  received = 0
  private waiters: Array<{ n: number; resolve: () => void }> = []

  constructor(readonly size: number) {
    this.counts = new Uint32Array(size)
  }

  /** Record an arrival of message `i`. */
  add(i: number): void {
    if (!(i >= 0 && i < this.size)) throw new Error(`unexpected message index ${i}`)
    if (this.counts[i]++ === 0) this.received++
    this.waiters = this.waiters.filter((w) => {
      if (this.received >= w.n) { w.resolve(); return false }
      return true
    })
  }

  /** Distinct messages that arrived more than once, and the extra copies. */
  get duplicates(): number {
    let d = 0
    for (const c of this.counts) if (c > 1) d += c - 1
    return d
  }

  /** Indexes that never arrived. */
  missing(): number[] {
    const out: number[] = []
    for (let i = 0; i < this.size; i++) if (this.counts[i] === 0) out.push(i)
    return out
  }

  /** Resolves once `n` distinct messages arrived. */
  reach(n: number, timeoutMs = 60_000): Promise<void> {
    if (this.received >= n) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.received} of ${n} distinct messages arrived (missing e.g. ${this.missing().slice(0, 5).join(',')})`)), timeoutMs)
      this.waiters.push({ n, resolve: () => { clearTimeout(timer); resolve() } })
    })
  }
}

/** Subscriber-side routing of numbered messages: `<base>/q1` and `<base>/q2`, payload = index. */
export function tallyHandler(base: string, q1: StreamTally, q2: StreamTally): (m: Message) => void {
  return (m) => {
    const i = Number(m.text())
    if (m.topic === `${base}/q1`) q1.add(i)
    else if (m.topic === `${base}/q2`) q2.add(i)
  }
}

/** Publish `n` messages on each stream, interleaved, all at once; returns every publish promise's outcome. */
export function publishStreams(client: MqttClient, base: string, n: number): {
  results: Promise<PromiseSettledResult<PublishResult>[]>
  issued: number
} {
  const promises: Promise<PublishResult>[] = []
  for (let i = 0; i < n; i++) {
    promises.push(client.publish(`${base}/q1`, String(i), { qos: 1 }))
    promises.push(client.publish(`${base}/q2`, String(i), { qos: 2 }))
  }
  return { results: Promise.allSettled(promises), issued: promises.length }
}

/** Counts what a client went through. */
export function watch(client: MqttClient): { reconnects: number; lost: number; recoverMs: number[] } {
  const w = { reconnects: 0, lost: 0, recoverMs: [] as number[] }
  let lostAt = 0
  client.on('connectionLost', () => { w.lost++; lostAt = Date.now() })
  client.on('connect', () => {
    if (lostAt) { w.reconnects++; w.recoverMs.push(Date.now() - lostAt); lostAt = 0 }
  })
  return w
}

/** One line of figures for the test log. */
export function figures(name: string, f: Record<string, number | string>): void {
  console.log(`[${name}] ${Object.entries(f).map(([k, v]) => `${k}=${v}`).join(' ')}`)
}

/** Median and max of a list of durations. */
export function spread(ms: number[]): string {
  if (ms.length === 0) return '-'
  const s = [...ms].sort((a, b) => a - b)
  return `median ${s[Math.floor(s.length / 2)]} ms, max ${s[s.length - 1]} ms`
}

/**
 * The two ends of the stream scenarios: a persistent subscriber on `<base>/q1` (QoS 1) and `<base>/q2` (QoS 2)
 * counting into fresh tallies, and a persistent publisher, both connected and watched.
 */
export async function streamPair(
  base: string, n: number, ends: { sub: ClientOptions; pub: ClientOptions }, shared: ClientOptions,
): Promise<{ sub: MqttClient; pub: MqttClient; q1: StreamTally; q2: StreamTally; subWatch: ReturnType<typeof watch>; pubWatch: ReturnType<typeof watch> }> {
  const q1 = new StreamTally(n)
  const q2 = new StreamTally(n)
  const sub = createClient({ clean: false, keepalive: 5, ...shared, ...ends.sub })
  const pub = createClient({ clean: false, keepalive: 5, ...shared, ...ends.pub })
  const subWatch = watch(sub)
  const pubWatch = watch(pub)
  await sub.connect()
  await sub.subscribe([{ filter: `${base}/q1`, qos: 1 }, { filter: `${base}/q2`, qos: 2 }], tallyHandler(base, q1, q2))
  await pub.connect()
  return { sub, pub, q1, q2, subWatch, pubWatch }
}
