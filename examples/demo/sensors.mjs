// A simulated sensor publisher, with isomqtt in Node: temperature and humidity per room (numbers, retained,
// QoS 1), a door contact (text, QoS 0) and a heartbeat, once a second.
import { connect } from '@isomqtt/client'

const ROOMS = ['kitchen', 'lounge', 'office']

/** Connects to `url` and publishes until `stop()`; resolves { stop }. */
export async function startSensors(url, { intervalMs = 1000, prefix = 'sensors', log = () => {} } = {}) {
  const client = await connect(url, { clientId: `isomqtt-demo-sensors-${process.pid}` })
  const state = Object.fromEntries(ROOMS.map((room, i) => [room, { t: 19 + i * 1.5, h: 40 + i * 5 }]))
  let tick = 0
  const publishAll = async () => {
    tick++
    const sends = []
    for (const room of ROOMS) {
      const s = state[room]
      // A gentle random walk, so the sparklines have something to show.
      s.t = Math.round((s.t + (Math.random() - 0.5) * 0.6) * 100) / 100
      s.h = Math.min(90, Math.max(20, Math.round(s.h + (Math.random() - 0.5) * 2)))
      sends.push(client.publish(`${prefix}/${room}/temperature`, s.t.toFixed(2), { qos: 1, retain: true }))
      sends.push(client.publish(`${prefix}/${room}/humidity`, String(s.h), { qos: 1, retain: true }))
    }
    if (tick % 5 === 0) sends.push(client.publish(`${prefix}/front-door`, Math.random() < 0.5 ? 'open' : 'closed', { qos: 0 }))
    sends.push(client.publish(`${prefix}/heartbeat`, JSON.stringify({ tick, at: new Date().toISOString() }), { qos: 0 }))
    await Promise.all(sends)
  }
  let timer
  let stopped = false
  const loop = async () => {
    try {
      await publishAll()
    } catch (err) {
      log(`sensors: ${err.message}`)
    }
    if (!stopped) timer = setTimeout(loop, intervalMs)
  }
  await loop()
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await client.disconnect()
    },
  }
}
