// Playwright global setup: bundles the test pages (and an app, the way its own bundler would), starts a
// Mosquitto with a WebSocket listener and the page server, both on free loopback ports, and hands their
// addresses to the tests through the environment.
import { fileURLToPath } from 'node:url'
import { startMosquitto } from '../../support/mosquitto.js'
// @ts-expect-error: plain JavaScript module without types
import { startStaticServer } from '../../../scripts/static-server.mjs'
import { buildBundlerApp, buildTestPages } from './build-pages.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))

export default async function globalSetup(): Promise<() => Promise<void>> {
  await buildTestPages(`${root}.tmp/browser-pages`)
  await buildBundlerApp(`${root}.tmp/browser-pages`)
  const broker = await startMosquitto({ websockets: true })
  const server = await startStaticServer({ root })
  process.env.ISOMQTT_BROKER_URL = broker.url
  process.env.ISOMQTT_BROKER_WS_URL = `ws://127.0.0.1:${broker.wsPort}`
  process.env.ISOMQTT_PAGE_URL = server.url
  return async () => {
    await server.close()
    await broker.stop()
  }
}
