// Subscribe with a handler and with `for await`, print what arrives, and exit after `count` messages.
// Run: npx tsx examples/node/subscribe.ts [mqtt://localhost:1883] [topic-filter] [count]
import { connect } from '@isomqtt/client'

const url = process.argv[2] ?? 'mqtt://localhost:1883'
const filter = process.argv[3] ?? 'isomqtt/example/#'
const count = Number(process.argv[4] ?? 3)

const client = await connect(url, {
  clientId: `example-sub-${process.pid}`,
  // Messages that no subscription claims end up here.
  onMessage: (msg) => console.log(`unclaimed ${msg.topic}`),
})
client.on('error', (err) => console.error('handler failed:', err))

// A handler per subscription...
await client.subscribe(`${filter.replace(/#$/, '')}alerts`, (msg) => console.log(`ALERT ${msg.text()}`), { qos: 1 })

// ...or iterate a subscription.
const sub = await client.subscribe(filter, undefined, { qos: 1 })
console.log('ready')
let seen = 0
for await (const msg of sub) {
  console.log(`${msg.topic}: ${msg.text()}`)
  if (++seen === count) break // leaving the loop unsubscribes
}

await client.disconnect()
