// A persistent session with a FileStore: QoS 1/2 messages in flight when the process stops are resent
// when it starts again. Run it twice: npx tsx examples/node/persistent-session.ts [url] [store-dir]
import { connect } from '@isomqtt/client'
import { FileStore } from '@isomqtt/store'

const url = process.argv[2] ?? 'mqtt://localhost:1883'
const dir = process.argv[3] ?? './isomqtt-session'

const client = await connect(url, {
  clientId: 'example-persistent', // the same id each run: the broker keeps the session for it
  clean: false,
  store: new FileStore(dir),
})

// Messages left in flight by an earlier run are resent first; each receipt settles at completion.
const { sessionPresent, resumed } = client.lastConnect!
console.log(`session present: ${sessionPresent}, resumed: ${resumed.length}`)
for (const receipt of resumed) {
  await receipt.done
  console.log(`resumed message ${receipt.packetId} (${receipt.topic ?? 'release only'}) completed`)
}

const { packetId } = await client.publish('isomqtt/example/orders', JSON.stringify({ id: Date.now() }), { qos: 2 })
console.log(`order published exactly once (packet ${packetId})`)

await client.disconnect()
