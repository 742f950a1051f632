// A dedicated module Worker that runs isomqtt off the page's main thread (as dashboards do to keep it free):
// the ES module bundle, an IndexedDbStore, the Worker-based timers (a worker started from a worker). The page
// sends { url, root } and gets back what happened, as messages.
import { connect, IndexedDbStore } from '/dist/isomqtt.esm.js'

self.onmessage = async ({ data: { url, root } }) => {
  try {
    const store = new IndexedDbStore(`worker-${root}`)
    const client = await connect(url, { clientId: `worker-${Math.random().toString(36).slice(2, 10)}`, store, keepalive: 5 })
    await client.subscribe(`${root}/to-worker`, (m) => self.postMessage({ type: 'message', text: m.text(), qos: m.qos }), { qos: 2 })
    const r = await client.publish(`${root}/from-worker`, 'hello from a worker', { qos: 2 })
    self.postMessage({ type: 'ready', qos: r.qos })
  } catch (err) {
    self.postMessage({ type: 'error', code: err?.code, message: String(err?.message ?? err) })
  }
}
