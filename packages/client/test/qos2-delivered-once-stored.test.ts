// An inbound QoS 2 message reaches the application only once its packet id is in the store. Delivered before,
// a crash between the handler and the store's write would leave no trace of it, and the server's redelivery
// (it saw no PUBREC) would be delivered a second time: QoS 2's "exactly once" broken across a restart.
import { MemoryStore } from '@isomqtt/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, until, type Mosquitto } from './helpers.js'

/** A store whose writes of inbound QoS 2 ids (`i.<id>`) wait until the test lets them through. */
class GatedStore extends MemoryStore {
  readonly requested = signal()
  private readonly gate = signal()

  override put(key: string, packet: Uint8Array): Promise<void> {
    if (!key.startsWith('i.')) return super.put(key, packet)
    this.requested.resolve()
    return this.gate.promise.then(() => super.put(key, packet))
  }

  override putNow(key: string, packet: Uint8Array): boolean {
    return key.startsWith('i.') ? false : super.putNow(key, packet)
  }

  release(): void {
    this.gate.resolve()
  }
}

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

describe('inbound QoS 2', () => {
  for (const orderMatters of [true, false]) {
    it(`is delivered only once its id is stored, messages behind it in order (orderMatters: ${orderMatters})`, async () => {
      const store = new GatedStore()
      const topic = uniqueTopic('q2s')
      const got: string[] = []
      const sub = await connect(broker.url, { clientId: uniqueId('q2s'), store, orderMatters })
      await sub.subscribe(`${topic}/#`, (m) => { got.push(m.text()) }, { qos: 2 })
      const pub = await connect(broker.url, { clientId: uniqueId('q2p') })
      await pub.publish(`${topic}/a`, 'exactly-once', { qos: 2 })
      await store.requested.promise
      expect(got).toEqual([])
      await pub.publish(`${topic}/b`, 'after', { qos: 0 })
      store.release()
      await until(() => got.length === 2)
      expect(got).toEqual(orderMatters ? ['exactly-once', 'after'] : expect.arrayContaining(['exactly-once', 'after']))
      await pub.disconnect()
      await sub.disconnect()
    })
  }
})
