// isomqtt, written the way its users write it.
import { connect } from '@isomqtt/client'
import { windowed, type BenchConn } from './contender.js'

/** Connects an isomqtt client (all in flight allowed: maxInflight 65535). */
export async function connectIsomqtt(url: string, clientId: string): Promise<BenchConn> {
  const c = await connect(url, { clientId, maxInflight: 65535 })
  return {
    planLoop: (topic, payload, n) => async () => {
      let last: Promise<unknown> | undefined
      for (let i = 0; i < n; i++) last = c.publish(topic, payload)
      await last
    },
    planAwaitEach: (topic, payload, n) => async () => {
      for (let i = 0; i < n; i++) await c.publish(topic, payload)
    },
    planWindow: (topic, payload, qos, n, window) => () => {
      if (window >= n) {
        const all = new Array<Promise<unknown>>(n)
        for (let i = 0; i < n; i++) all[i] = c.publish(topic, payload, { qos })
        return Promise.all(all).then(() => undefined)
      }
      return windowed(n, window, (done) => { c.publish(topic, payload, { qos }).then(done, done) })
    },
    publishOne: async (topic, payload, qos) => { await c.publish(topic, payload, { qos }) },
    subscribe: async (filters, qos, onMessage) => {
      await Promise.all(filters.map((f) => c.subscribe(f, onMessage, { qos })))
    },
    end: () => c.disconnect(),
  }
}

