// The README's `npx isomqtt ...` after `npm ci` and `npm run build`: npm links the command from the package's
// bin/ (which exists before the build, unlike dist/), so npx runs the built CLI instead of looking the name up
// in the registry. The other CLI tests run the TypeScript sources; this one runs what users run.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startMosquitto, type Mosquitto } from '../../../tests/support/mosquitto.js'
import { installedIsomqtt, subscribedMosquittoSub } from './cli-helpers.js'

let broker: Mosquitto

beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

it('`npx isomqtt --help` runs the built command of this repository', async () => {
  const r = await installedIsomqtt(['--help']).done()
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  expect(r.stdout).toMatch(/^isomqtt: an MQTT 3\.1 \/ 3\.1\.1 \/ 5\.0 command line client\n/)
}, 30_000)

it('`npx isomqtt pub` delivers to mosquitto_sub and exits 0 once PUBACK arrived', async () => {
  const sub = await subscribedMosquittoSub(broker.port, 'cli/installed', 1)
  const pub = await installedIsomqtt(['pub', '-h', '127.0.0.1', '-p', String(broker.port), '-t', 'cli/installed', '-m', 'from npx', '-q', '1']).done()
  expect(pub).toMatchObject({ code: 0, stderr: '' })
  await sub.line((l) => l === 'cli/installed from npx')
  expect((await sub.done()).code).toBe(0)
}, 30_000)
