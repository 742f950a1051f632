// createDuplexPair(): an in-memory connection for scripted peers, with socket-like close and backpressure.
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { createDuplexPair, TransportError } from '../src/index.node.js'

describe('createDuplexPair', () => {
  it('bytes written on one side are read on the other, both ways, as copies', async () => {
    const [client, server] = createDuplexPair()
    const sent = new Uint8Array([0x10, 1, 2])
    const atServer = once(server, 'data')
    client.write(sent)
    sent[0] = 0xff // the writer may reuse its buffer
    expect(Array.from((await atServer)[0] as Uint8Array)).toEqual([0x10, 1, 2])
    const atClient = once(client, 'data')
    server.write(new Uint8Array([0x20, 2, 0, 0]))
    expect(Array.from((await atClient)[0] as Uint8Array)).toEqual([0x20, 2, 0, 0])
  })

  it('end() on one side ends the other side\'s reading', async () => {
    const [client, server] = createDuplexPair()
    server.resume()
    client.resume()
    const ended = once(server, 'end')
    const closed = Promise.all([once(client, 'close'), once(server, 'close')])
    client.end()
    await ended
    await closed
  })

  it('destroy() on one side is a dropped connection for the other: end, and writes fail', async () => {
    const [client, server] = createDuplexPair()
    server.resume()
    const ended = once(server, 'end')
    client.destroy()
    await ended
    const [client2, server2] = createDuplexPair()
    client2.destroy()
    const failed = new Promise<unknown>((resolve) => server2.write(new Uint8Array([1]), resolve))
    server2.on('error', () => {})
    expect(await failed).toBeInstanceOf(TransportError)
  })

  it('applies backpressure: a writer to a side nobody reads sees write() return false, then drain', async () => {
    const [client, server] = createDuplexPair()
    const chunk = new Uint8Array(64 * 1024)
    let writes = 0
    while (client.write(chunk)) writes++
    expect(writes).toBeLessThan(4)
    const drained = once(client, 'drain')
    server.resume()
    await drained
  })
})
