// Codec benchmark: isomqtt against mqtt-packet in one process run, like with like.
//   encode: isomqtt `encode` vs mqtt-packet `generate`, one packet per call.
//   decode: the same concatenated stream, cut into the same 64 KiB chunks, pushed into each parser
//           (isomqtt `Parser.push` vs mqtt-packet `parser.parse`), as a socket would deliver it.
// Each figure is the median of SAMPLES timed samples, each after a full GC; the two libraries alternate.

import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import mqttPacket from 'mqtt-packet'
import { Parser, encode, type Packet, type ProtocolVersion } from '../packages/codec/src/index.ts'

const SAMPLES = 9
const SAMPLE_MS = 150
const CHUNK = 64 * 1024
const STREAM_BYTES = 4 * 1024 * 1024

type Obj = Record<string, unknown>
interface Case { name: string; version: ProtocolVersion; ours: Packet; theirs: Obj }

const bytes = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff)
const filters = Array.from({ length: 10 }, (_, i) => `building/${i}/+/sensors/#`)

function publishCase(name: string, size: number, qos: 0 | 1): Case {
  const payload = bytes(size)
  return {
    name, version: 4,
    ours: { type: 'publish', topic: 'devices/1234/telemetry', payload, qos, retain: false, dup: false, packetId: qos ? 42 : undefined },
    theirs: { cmd: 'publish', topic: 'devices/1234/telemetry', payload: Buffer.from(payload), qos, retain: false, dup: false, messageId: qos ? 42 : undefined },
  }
}

const cases: Case[] = [
  publishCase('PUBLISH QoS 0, 16 B', 16, 0),
  publishCase('PUBLISH QoS 0, 1 KiB', 1024, 0),
  publishCase('PUBLISH QoS 0, 64 KiB', 65536, 0),
  publishCase('PUBLISH QoS 1, 1 KiB', 1024, 1),
  {
    name: 'CONNECT 3.1.1', version: 4,
    ours: { type: 'connect', clientId: 'dashboard-client-0001', clean: true, keepalive: 60, username: 'alice', password: bytes(12), will: { topic: 'clients/dashboard/status', payload: bytes(7), qos: 1, retain: true } },
    theirs: { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'dashboard-client-0001', clean: true, keepalive: 60, username: 'alice', password: Buffer.from(bytes(12)), will: { topic: 'clients/dashboard/status', payload: Buffer.from(bytes(7)), qos: 1, retain: true } },
  },
  {
    name: 'CONNECT 5.0 + properties', version: 5,
    ours: {
      type: 'connect', clientId: 'dashboard-client-0001', clean: true, keepalive: 60, username: 'alice', password: bytes(12),
      properties: { sessionExpiryInterval: 3600, receiveMaximum: 100, maximumPacketSize: 1 << 20, topicAliasMaximum: 10, requestProblemInformation: true, userProperties: [['region', 'eu-west'], ['app', 'dashboard']] },
    },
    theirs: {
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'dashboard-client-0001', clean: true, keepalive: 60, username: 'alice', password: Buffer.from(bytes(12)),
      properties: { sessionExpiryInterval: 3600, receiveMaximum: 100, maximumPacketSize: 1 << 20, topicAliasMaximum: 10, requestProblemInformation: true, userProperties: { region: 'eu-west', app: 'dashboard' } },
    },
  },
  {
    name: 'SUBSCRIBE, 10 filters', version: 4,
    ours: { type: 'subscribe', packetId: 7, subscriptions: filters.map((filter) => ({ filter, qos: 1 as const })) },
    theirs: { cmd: 'subscribe', messageId: 7, subscriptions: filters.map((topic) => ({ topic, qos: 1 })) },
  },
]

let sink = 0

// A full GC before every sample, so neither library pays for the other's garbage.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Runs `op` (which does `unit` operations) repeatedly for SAMPLE_MS; returns operations per second. */
function sample(op: () => void, unit: number): number {
  gc()
  let n = 0
  const start = performance.now()
  let now = start
  do {
    op()
    n += unit
    now = performance.now()
  } while (now - start < SAMPLE_MS)
  return (n * 1000) / (now - start)
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]!
}

/** Alternates samples of the two; returns their medians. */
function compare(ours: () => void, theirs: () => void, unit: number): [number, number] {
  sample(ours, unit)
  sample(theirs, unit) // warm-up
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    if (i % 2 === 0) {
      a.push(sample(ours, unit))
      b.push(sample(theirs, unit))
    } else {
      b.push(sample(theirs, unit))
      a.push(sample(ours, unit))
    }
  }
  return [median(a), median(b)]
}

interface Row { name: string; op: string; size: number; ours: number; theirs: number }
const rows: Row[] = []

for (const c of cases) {
  const wire = encode(c.ours, c.version)
  const theirWire = mqttPacket.generate(c.theirs as never, { protocolVersion: c.version })
  if (Buffer.compare(Buffer.from(wire), theirWire) !== 0) throw new Error(`${c.name}: the two encodings differ`)
  const opts = { protocolVersion: c.version }

  const [encOurs, encTheirs] = compare(
    () => { sink += encode(c.ours, c.version).length },
    () => { sink += mqttPacket.generate(c.theirs as never, opts).length },
    1,
  )
  rows.push({ name: c.name, op: 'encode', size: wire.length, ours: encOurs, theirs: encTheirs })

  // The same stream for both: as many packets as fit in STREAM_BYTES (at least 16), cut in 64 KiB chunks.
  const count = Math.max(16, Math.floor(STREAM_BYTES / wire.length))
  const stream = Buffer.alloc(count * wire.length)
  for (let i = 0; i < count; i++) stream.set(wire, i * wire.length)
  const chunks: Buffer[] = []
  for (let i = 0; i < stream.length; i += CHUNK) chunks.push(stream.subarray(i, i + CHUNK))

  const ourParser = new Parser({ version: c.version })
  const theirParser = mqttPacket.parser(opts)
  let theirCount = 0
  theirParser.on('packet', () => { theirCount++ })
  theirParser.on('error', (e: Error) => { throw e })
  const [decOurs, decTheirs] = compare(
    () => {
      let got = 0
      for (let i = 0; i < chunks.length; i++) got += ourParser.push(chunks[i]!).length
      if (got !== count) throw new Error(`isomqtt decoded ${got} of ${count}`)
    },
    () => {
      theirCount = 0
      for (let i = 0; i < chunks.length; i++) theirParser.parse(chunks[i]!)
      if (theirCount !== count) throw new Error(`mqtt-packet decoded ${theirCount} of ${count}`)
    },
    count,
  )
  rows.push({ name: c.name, op: 'decode', size: wire.length, ours: decOurs, theirs: decTheirs })
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0))
const mb = (ops: number, size: number) => ((ops * size) / 1e6).toFixed(1)
console.log(`node ${process.version}; median of ${SAMPLES} samples of ${SAMPLE_MS} ms; decode fed in ${CHUNK / 1024} KiB chunks\n`)
console.log('| case | op | bytes | isomqtt ops/s | isomqtt MB/s | mqtt-packet ops/s | mqtt-packet MB/s | ratio |')
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const r of rows) {
  console.log(`| ${r.name} | ${r.op} | ${r.size} | ${fmt(r.ours)} | ${mb(r.ours, r.size)} | ${fmt(r.theirs)} | ${mb(r.theirs, r.size)} | ${(r.ours / r.theirs).toFixed(2)}x |`)
}
if (sink === 0) console.log('')
