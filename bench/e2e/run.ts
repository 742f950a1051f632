// `npm run bench`: end-to-end benchmarks of isomqtt against MQTT.js and a raw socket, on loopback against
// Mosquitto. Each measurement runs in its own child process; contenders alternate within each round, and
// every figure is the median of the rounds with its min and max. BENCH_QUICK=1 (or --quick) for a short run;
// --only=a,b runs some scenarios. Writes bench/results/e2e.{md,json,svg} and the README's table.
import { spawn } from 'node:child_process'
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { startMosquitto } from '../../tests/support/mosquitto.js'
import type { ContenderName } from './contender.js'
import { advantage, markdownTable, stat, svgChart, type Row, type Target } from './report.js'
import { SCENARIOS, type Figures } from './scenarios.js'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))
const args = process.argv.slice(2)
const quick = process.env.BENCH_QUICK === '1' || args.includes('--quick')
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',')
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 3 : 7))

const UNITS: Record<string, [unit: string, higherIsBetter: boolean]> = {
  rate: ['msg/s', true], p50us: ['µs', false], p99us: ['µs', false], nsPerMessage: ['ns/msg', false],
  peakRssMB: ['MB', false], peakHeapMB: ['MB', false],
}

const atLeast = (other: ContenderName, k: number) => (row: Row): boolean | undefined => {
  const a = advantage(row, other)
  return a === undefined ? undefined : a >= k
}
const vsMqttjs = (k: number): Target => ({ text: `≥ ${k}x MQTT.js`, met: atLeast('mqttjs', k) })
const vsRaw = (k: number): Target => ({ text: `≥ ${k * 100}% of raw`, met: atLeast('raw', k) })
/** Where MQTT.js is the bottleneck: 2x MQTT.js, or 90% of raw when the broker caps both below that. */
const clientBound: Target = { text: '≥ 2x MQTT.js or ≥ 90% of raw', met: (r) => { const m = atLeast('mqttjs', 2)(r); const w = atLeast('raw', 0.9)(r); return m === undefined && w === undefined ? undefined : !!m || !!w } }

/** The targets, by row key (`scenario` or `scenario:figure`). */
const TARGETS: Record<string, Target> = {
  'qos0-loop-written': clientBound,
  'qos0-loop-received': clientBound,
  'qos1-all-in-flight': clientBound,
  'qos2-window-100': vsRaw(0.9),
  'receive-qos0': vsRaw(0.9),
  'receive-qos1': vsRaw(0.9),
  'ws-qos0-loop-received': vsMqttjs(3),
  'ws-qos1-all-in-flight': vsMqttjs(3),
  'peer-publish-qos0': vsMqttjs(2.5),
  'peer-publish-qos1': vsMqttjs(2.5),
  'peer-receive-qos0': vsMqttjs(2.5),
  'peer-receive-qos1': vsMqttjs(2.5),
  'memory:peakRssMB': { text: '≤ 0.5x MQTT.js', met: (r) => { const a = advantage(r, 'mqttjs'); return a === undefined ? undefined : a >= 2 } },
  'connect-latency:p50us': { text: '≤ 1.2x raw', met: (r) => { const a = advantage(r, 'raw'); return a === undefined ? undefined : a >= 1 / 1.2 } },
}

async function bundleWorker(): Promise<string> {
  const outdir = here('./.build')
  // Chunk names carry content hashes: without this every build would leave its old chunks behind.
  await rm(outdir, { recursive: true, force: true })
  await build({
    entryPoints: [here('./worker.ts'), here('./subscriber-thread.ts')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    tsconfig: here('../../packages/client/cli/tsconfig.sources.json'),
    external: ['mqtt', 'ws', 'readable-stream', 'isomorphic-ws', 'idb-keyval'],
    logLevel: 'warning',
  })
  return `${outdir}/worker.js`
}

function runWorker(worker: string, job: object): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', worker, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s })
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '))
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as Figures)
      else reject(new Error(`worker ${JSON.stringify(job)} exited ${code}: ${err.trim().slice(-800)}`))
    })
  })
}

const started = Date.now()
const worker = await bundleWorker()
const broker = await startMosquitto({ websockets: true })
const scenarios = Object.keys(SCENARIOS).filter((s) => !only || only.includes(s))
const results = new Map<string, Partial<Record<ContenderName, number[]>>>()
try {
  for (const scenario of scenarios) {
    const contenders: ContenderName[] = scenario === 'memory' ? ['isomqtt', 'mqttjs'] : ['isomqtt', 'mqttjs', 'raw']
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first, so drift on a shared machine falls on every contender alike.
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!)
      for (const contender of order) {
        const figures = await runWorker(worker, { scenario, contender, url: broker.url, wsUrl: `ws://127.0.0.1:${broker.wsPort}/mqtt`, quick })
        for (const [figure, value] of Object.entries(figures)) {
          const key = `${scenario}\u0000${figure}`
          const byContender = results.get(key) ?? {}
          ;(byContender[contender] ??= []).push(value)
          results.set(key, byContender)
        }
      }
    }
    const done = [...results.entries()].filter(([k]) => k.startsWith(`${scenario}\u0000`))
    for (const [k, v] of done) {
      const medians = Object.entries(v).map(([c, xs]) => `${c} ${stat(xs).median}`).join(', ')
      process.stderr.write(`${k.replace('\u0000', ' ')}: ${medians}\n`)
    }
  }
} finally {
  await broker.stop()
}

const rows: Row[] = [...results.entries()].map(([key, byContender]) => {
  const [scenario, figure] = key.split('\u0000') as [string, string]
  const [unit, higherIsBetter] = UNITS[figure] ?? [figure, true]
  const stats: Row['stats'] = {}
  for (const [c, values] of Object.entries(byContender)) stats[c as ContenderName] = stat(values!)
  return { scenario, figure, unit, higherIsBetter, stats }
})
const minutes = ((Date.now() - started) / 60000).toFixed(1)
const note = `${quick ? 'Quick run' : 'Full run'} of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: Node ${process.version}, ${cpus().length} cores (shared), Mosquitto on loopback, 64-byte payloads; median (min–max) of ${rounds} alternating runs; ${minutes} min.`
const table = markdownTable(rows, TARGETS, note)
process.stdout.write(`\n${table}`)
if (!only) {
  const dir = here('../results')
  await mkdir(dir, { recursive: true })
  const name = quick ? 'e2e-quick' : 'e2e'
  await writeFile(`${dir}/${name}.md`, `# End-to-end benchmark results\n\n${table}`)
  await writeFile(`${dir}/${name}.json`, JSON.stringify({ quick, rounds, date: new Date().toISOString(), rows }, null, 2) + '\n')
  await writeFile(`${dir}/${name}.svg`, svgChart(rows, `isomqtt vs MQTT.js, msg/s (${quick ? 'quick' : 'full'} run)`))
  if (!quick) {
    // The README shows the latest full table between its markers.
    const readme = here('../../README.md')
    const text = await readFile(readme, 'utf8')
    const start = text.indexOf('<!-- bench:e2e:start -->')
    const end = text.indexOf('<!-- bench:e2e:end -->')
    if (start >= 0 && end > start) {
      await writeFile(readme, `${text.slice(0, start)}<!-- bench:e2e:start -->\n${table}${text.slice(end)}`)
    }
  }
}
