// A web app as its author writes it: the npm packages imported by name and bundled for the browser by esbuild,
// with no plugins and no polyfill settings (tests/browser/support/build-pages.ts builds it).
import { connect } from '@isomqtt/client'
import { MemoryStore } from '@isomqtt/store'

/**
 * Connects to `url` with MQTT `protocolVersion`, subscribes to `<root>/from-node/#`, publishes QoS 0, 1 and 2
 * to `<root>/from-browser/q<qos>`, and resolves with the client and what it receives.
 */
export async function start(url, root, protocolVersion) {
  const received = []
  const client = await connect(url, { protocolVersion, store: new MemoryStore() })
  await client.subscribe(`${root}/from-node/#`, (m) => { received.push([m.topic, m.text(), m.qos]) }, { qos: 2 })
  for (const qos of [0, 1, 2]) await client.publish(`${root}/from-browser/q${qos}`, `browser says ${qos}`, { qos })
  return { client, received }
}
