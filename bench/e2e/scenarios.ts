// The measurements. Each runs in its own worker process against one contender and returns its figures.
import { performance } from 'node:perf_hooks'
import type { BenchConn, ContenderName, Connector } from './contender.js'
import { connectRaw } from './raw-contender.js'
import { startInstantPeer } from './peer.js'
import { startSubscriberThread } from './subscriber-thread.js'
import { preencodedPublishes } from './wire.js'

/** What a scenario gets. */
export interface ScenarioContext {
  contender: ContenderName
  connect: Connector
  /** mqtt://127.0.0.1:port of the Mosquitto under test. */
  url: string
  /** ws://127.0.0.1:port of its WebSocket listener. */
  wsUrl: string
  quick: boolean
}

/** Figures by name (rates in msg/s, times in ms or µs as the name says). */
export type Figures = Record<string, number>

const PAYLOAD = new Uint8Array(64).fill(0x61)
let seq = 0
const uniq = (): string => `bench/${process.pid}/${seq++}`
const id = (): string => `b${process.pid}-${seq++}`
const size = (ctx: ScenarioContext, full: number): number => (ctx.quick ? Math.ceil(full / 5) : full)

/** Messages of a short warm-up (the memory scenario's runs). */
const WARM = 2000

/**
 * How much unmeasured work precedes a measured run: `full`, a whole unmeasured run of the same kind and size,
 * so every contender is measured in steady state (in a fresh process isomqtt's QoS 2 path takes some 40,000
 * messages to reach it); `short`, 2,000 messages, where the run itself is what is measured (memory).
 */
type WarmUp = 'full' | 'short'

const warmCount = (warmUp: WarmUp, n: number): number => (warmUp === 'full' ? n : WARM)

/**
 * Publishes nobody counts, on the path the run measures (the same QoS and window). QoS 0 ones end with a QoS 1
 * round trip: the server handles a connection's packets in order, so once it acknowledges that one it has
 * worked through the warm-up, and the measured run does not start behind its backlog.
 */
async function warm(c: BenchConn, qos: 0 | 1 | 2, window: number, count: number): Promise<void> {
  const topic = `warm/${process.pid}`
  if (qos !== 0) return c.planWindow(topic, PAYLOAD, qos, count, Math.min(window, count))()
  await c.planLoop(topic, PAYLOAD, count)()
  await c.publishOne(topic, PAYLOAD, 1)
}

/** A counter in two phases: `warmed` once the first `first` messages arrived, `all` after `n` more. */
function phases(first: number, n: number): { onMessage: () => void; warmed: Promise<void>; all: Promise<void> } {
  let warmedResolve!: () => void
  let allResolve!: () => void
  const warmed = new Promise<void>((r) => { warmedResolve = r })
  const all = new Promise<void>((r) => { allResolve = r })
  if (first === 0) warmedResolve()
  let count = 0
  const onMessage = (): void => {
    count++
    if (count === first) warmedResolve()
    if (count === first + n) allResolve()
  }
  return { onMessage, warmed, all }
}

async function timed(run: () => Promise<void>): Promise<number> {
  const t0 = performance.now()
  await run()
  return performance.now() - t0
}

const rate = (n: number, ms: number): number => Math.round(n / (ms / 1000))

/** Publishes measured until written, or until a neutral raw subscriber (in its own thread) has them all. */
function publishRun(style: 'loop' | 'await', untilReceived: boolean, ws = false, warmUp: WarmUp = 'full') {
  return async (ctx: ScenarioContext): Promise<Figures> => {
    const n = size(ctx, 100_000)
    const topic = uniq()
    const c = await ctx.connect(ws ? ctx.wsUrl : ctx.url, id())
    await warm(c, 0, n, warmCount(warmUp, n))
    const sub = untilReceived ? await startSubscriberThread({ url: ctx.url, clientId: id(), topic, n }) : undefined
    const run = style === 'loop' ? c.planLoop(topic, PAYLOAD, n) : c.planAwaitEach(topic, PAYLOAD, n)
    const ms = await timed(async () => { await run(); if (sub) await sub.all })
    await c.end()
    await sub?.end()
    return { rate: rate(n, ms) }
  }
}

function windowRun(qos: 1 | 2, full: number, window: number | undefined, ws = false, warmUp: WarmUp = 'full') {
  return async (ctx: ScenarioContext): Promise<Figures> => {
    const n = size(ctx, full)
    const c = await ctx.connect(ws ? ctx.wsUrl : ctx.url, id())
    await warm(c, qos, window ?? n, warmCount(warmUp, n))
    const ms = await timed(c.planWindow(uniq(), PAYLOAD, qos, n, window ?? n))
    await c.end()
    return { rate: rate(n, ms) }
  }
}

/** A neutral raw publisher feeds the broker; the contender subscribes and takes them all. */
function receiveRun(qos: 0 | 1, full: number, warmUp: WarmUp = 'full') {
  return async (ctx: ScenarioContext): Promise<Figures> => {
    const n = size(ctx, full)
    const first = warmCount(warmUp, n)
    const topic = uniq()
    const c = await ctx.connect(ctx.url, id())
    const got = phases(first, n)
    await c.subscribe([topic], qos, got.onMessage)
    const pub = await connectRaw(ctx.url, id())
    const plan = (count: number) => (qos === 0 ? pub.planLoop(topic, PAYLOAD, count) : pub.planWindow(topic, PAYLOAD, 1, count, count))
    await Promise.all([plan(first)(), got.warmed])
    const run = plan(n)
    const ms = await timed(async () => { await Promise.all([run(), got.all]) })
    await pub.end()
    await c.end()
    return { rate: rate(n, ms) }
  }
}

/** Against the in-process instant peer: the client's own cost. */
function peerPublish(qos: 0 | 1, full: number) {
  return async (ctx: ScenarioContext): Promise<Figures> => {
    const n = size(ctx, full)
    const peer = await startInstantPeer()
    try {
      const c = await ctx.connect(peer.url, id())
      await warm(c, qos, n, n)
      const run = qos === 0 ? c.planLoop('p/t', PAYLOAD, n) : c.planWindow('p/t', PAYLOAD, 1, n, n)
      const ms = await timed(run)
      await c.end()
      return { rate: rate(n, ms) }
    } finally {
      await peer.close()
    }
  }
}

function peerReceive(qos: 0 | 1, full: number, subscriptions = 1) {
  return async (ctx: ScenarioContext): Promise<Figures> => {
    const n = size(ctx, full)
    const peer = await startInstantPeer()
    try {
      const c = await ctx.connect(peer.url, id())
      const got = phases(n, n)
      const filters = Array.from({ length: subscriptions }, (_, i) => (subscriptions === 1 ? 'p/#' : `d/${i}/+`))
      await c.subscribe(filters, qos, got.onMessage)
      const topic = subscriptions === 1 ? 'p/t' : `d/${subscriptions >> 1}/x`
      await Promise.all([peer.feed(preencodedPublishes(topic, PAYLOAD, qos, n)), got.warmed])
      const chunks = preencodedPublishes(topic, PAYLOAD, qos, n)
      const ms = await timed(async () => { await Promise.all([peer.feed(chunks), got.all]) })
      await c.end()
      return subscriptions === 1 ? { rate: rate(n, ms) } : { nsPerMessage: Math.round((ms * 1e6) / n) }
    } finally {
      await peer.close()
    }
  }
}

async function roundTrip(ctx: ScenarioContext): Promise<Figures> {
  const n = size(ctx, 2000)
  const c = await ctx.connect(ctx.url, id())
  const topic = uniq()
  for (let i = 0; i < 200; i++) await c.publishOne(topic, PAYLOAD, 1)
  const times = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await c.publishOne(topic, PAYLOAD, 1)
    times[i] = performance.now() - t0
  }
  await c.end()
  times.sort()
  return { p50us: Math.round(times[Math.floor(n * 0.5)]! * 1000), p99us: Math.round(times[Math.floor(n * 0.99)]! * 1000) }
}

async function connectLatency(ctx: ScenarioContext): Promise<Figures> {
  const n = ctx.quick ? 30 : 100
  for (let i = 0; i < n; i++) await (await ctx.connect(ctx.url, id())).end()
  const times = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    const c = await ctx.connect(ctx.url, id())
    times[i] = performance.now() - t0
    await c.end()
  }
  times.sort()
  return { p50us: Math.round(times[Math.floor(n / 2)]! * 1000) }
}

/** Peak memory over a mixed workload (QoS 0 loop, QoS 1 all in flight, receiving), above the process baseline. */
async function memory(ctx: ScenarioContext, baselineRss: number): Promise<Figures> {
  let peakRss = process.memoryUsage.rss()
  let peakHeap = process.memoryUsage().heapUsed
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
  }
  const timer = setInterval(sample, 5)
  await publishRun('loop', false, false, 'short')(ctx)
  sample()
  await windowRun(1, 50_000, undefined, false, 'short')(ctx)
  sample()
  await receiveRun(1, 50_000, 'short')(ctx)
  sample()
  clearInterval(timer)
  return { peakRssMB: +((peakRss - baselineRss) / 1048576).toFixed(1), peakHeapMB: +(peakHeap / 1048576).toFixed(1) }
}

/** Every scenario by id. */
export const SCENARIOS: Record<string, (ctx: ScenarioContext, baselineRss: number) => Promise<Figures>> = {
  'qos0-loop-written': publishRun('loop', false),
  'qos0-loop-received': publishRun('loop', true),
  'qos0-await-written': publishRun('await', false),
  'qos0-await-received': publishRun('await', true),
  'qos1-all-in-flight': windowRun(1, 50_000, undefined),
  'qos2-window-100': windowRun(2, 20_000, 100),
  'qos1-round-trip': roundTrip,
  'receive-qos0': receiveRun(0, 100_000),
  'receive-qos1': receiveRun(1, 50_000),
  'ws-qos0-loop-received': publishRun('loop', true, true),
  'ws-qos1-all-in-flight': windowRun(1, 50_000, undefined, true),
  'peer-publish-qos0': peerPublish(0, 100_000),
  'peer-publish-qos1': peerPublish(1, 50_000),
  'peer-receive-qos0': peerReceive(0, 100_000),
  'peer-receive-qos1': peerReceive(1, 50_000),
  'dispatch-10k-subscriptions': peerReceive(0, 50_000, 10_000),
  'connect-latency': connectLatency,
  memory,
}
