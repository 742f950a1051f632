import { connect } from '@isomqtt/client'
import { MemoryStore } from '@isomqtt/store'
window.run = async (url) => {
  const client = await connect(url, { store: new MemoryStore(), clientId: 'user-app' })
  const got = []
  await client.subscribe('ua/+', (msg) => got.push(msg.topic + '=' + msg.text()), { qos: 1 })
  await client.publish('ua/t1', '21.5', { qos: 1 })
  await client.publish('ua/t2', 'x', { qos: 2 })
  while (got.length < 2) await new Promise((r) => setTimeout(r, 10))
  await client.disconnect()
  return got
}
