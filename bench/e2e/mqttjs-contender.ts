// MQTT.js 5, written the way its users write it (callbacks where promises would go quadratic).
import mqtt from 'mqtt'
import { windowed, type BenchConn } from './contender.js'

/** Connects an MQTT.js client (MQTT 3.1.1, no reconnect). */
export async function connectMqttjs(url: string, clientId: string): Promise<BenchConn> {
  const c = await mqtt.connectAsync(url, { clientId, protocolVersion: 4, reconnectPeriod: 0, keepalive: 60 })
  return {
    planLoop: (topic, payload, n) => {
      const buf = Buffer.from(payload)
      return () => new Promise<void>((resolve, reject) => {
        for (let i = 0; i < n - 1; i++) c.publish(topic, buf)
        c.publish(topic, buf, { qos: 0 }, (err) => (err ? reject(err) : resolve()))
      })
    },
    planAwaitEach: (topic, payload, n) => {
      const buf = Buffer.from(payload)
      return async () => { for (let i = 0; i < n; i++) await c.publishAsync(topic, buf) }
    },
    planWindow: (topic, payload, qos, n, window) => {
      const buf = Buffer.from(payload)
      return () => windowed(n, window, (done) => { c.publish(topic, buf, { qos }, done) })
    },
    publishOne: async (topic, payload, qos) => { await c.publishAsync(topic, Buffer.from(payload), { qos }) },
    subscribe: async (filters, qos, onMessage) => {
      c.on('message', onMessage)
      await Promise.all(filters.map((f) => c.subscribeAsync(f, { qos })))
    },
    end: () => c.endAsync(),
  }
}

