// Publish a few readings at QoS 1 and exit.
// Run: npx tsx examples/node/publish.ts [mqtt://localhost:1883] [topic]
import { connect } from '@isomqtt/client'

const url = process.argv[2] ?? 'mqtt://localhost:1883'
const topic = process.argv[3] ?? 'isomqtt/example/temperature'

const client = await connect(url, { clientId: `example-pub-${process.pid}` })

for (const celsius of [21.5, 21.7, 22.0]) {
  // Resolves when the broker acknowledged it (PUBACK).
  const { packetId } = await client.publish(topic, JSON.stringify({ celsius }), { qos: 1 })
  console.log(`published ${celsius} °C (packet ${packetId})`)
}

// The last value stays on the broker for new subscribers.
await client.publish(`${topic}/last`, '22.0', { qos: 1, retain: true })

await client.disconnect()
