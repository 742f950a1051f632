// One measurement in its own process: `node worker.js <json>`; prints `RESULT <json figures>` on stdout.
import type { ContenderName } from './contender.js'
import { loadContender } from './contender.js'
import { SCENARIOS, type ScenarioContext } from './scenarios.js'

interface Job { scenario: string; contender: ContenderName; url: string; wsUrl: string; quick: boolean }

const job = JSON.parse(process.argv[2] ?? '{}') as Job
const scenario = SCENARIOS[job.scenario]
if (!scenario) {
  process.stderr.write(`unknown scenario ${job.scenario}\n`)
  process.exit(1)
}
// Measured before the library is loaded, so memory figures count the library and its work only.
const baselineRss = process.memoryUsage.rss()
const ctx: ScenarioContext = { ...job, connect: await loadContender(job.contender) }
const timeout = setTimeout(() => { process.stderr.write(`${job.scenario}/${job.contender}: timed out\n`); process.exit(3) }, 120_000)
timeout.unref()
const figures = await scenario(ctx, baselineRss)
process.stdout.write(`RESULT ${JSON.stringify(figures)}\n`)
process.exit(0)
