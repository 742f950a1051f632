import { describe, expect, it } from 'vitest'
import { Qos2ReplayGuard } from '../src/qos2-replay-guard.js'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const pub = (packetId: number, payload: string, dup: boolean, topic = 'a/b', qos = 2) => ({ qos, dup, packetId, topic, payload: bytes(payload) })

/** A guard that delivered and released `id` on one connection, then reconnected with the session. */
function afterReplayableRestart(id = 7, payload = '42'): Qos2ReplayGuard {
  const g = new Qos2ReplayGuard()
  g.connected(false)
  g.delivered(id, 'a/b', bytes(payload))
  g.release(id)
  g.connected(true)
  return g
}

describe('QoS 2 replay guard (a broker resending a PUBLISH it already released)', () => {
  it('recognizes a DUP PUBLISH of a message released on the previous connection by id, topic and payload', () => {
    expect(afterReplayableRestart().check(pub(7, '42', true))).toBe(true)
  })

  it('never flags DUP=0 (a legitimate repeat with a reused id), another payload or topic, or QoS 1', () => {
    const g = afterReplayableRestart()
    expect(g.check(pub(7, '43', true))).toBe(false)
    expect(g.check(pub(7, '42', true, 'a/c'))).toBe(false)
    expect(g.check(pub(7, '42', true, 'a/b', 1))).toBe(false)
    expect(g.check(pub(7, '42', false))).toBe(false)
  })

  it('closes its window at the first DUP=0 PUBLISH of the connection', () => {
    const g = afterReplayableRestart()
    expect(g.check(pub(9, 'new', false, 'x', 1))).toBe(false)
    expect(g.check(pub(7, '42', true))).toBe(false)
  })

  it('does nothing on the connection the message was released on, or after a connect without session', () => {
    const g = new Qos2ReplayGuard()
    g.connected(false)
    g.delivered(7, 'a/b', bytes('42'))
    g.release(7)
    expect(g.check(pub(7, '42', true))).toBe(false)
    g.connected(false)
    expect(g.check(pub(7, '42', true))).toBe(false)
  })

  it('a window that saw no new message carries over to the next connection; a new delivery of the id replaces it', () => {
    const g = afterReplayableRestart()
    g.connected(true)
    expect(g.check(pub(7, '42', true))).toBe(true)
    g.delivered(7, 'x', bytes('new'))
    expect(g.check(pub(7, '42', true))).toBe(false)
  })

  it('keeps only the most recent ids', () => {
    const g = new Qos2ReplayGuard(2)
    g.connected(false)
    for (const id of [1, 2, 3]) { g.delivered(id, 't', bytes(String(id))); g.release(id) }
    g.connected(true)
    expect(g.check({ qos: 2, dup: true, packetId: 1, topic: 't', payload: bytes('1') })).toBe(false)
    expect(g.check({ qos: 2, dup: true, packetId: 3, topic: 't', payload: bytes('3') })).toBe(true)
  })
})
