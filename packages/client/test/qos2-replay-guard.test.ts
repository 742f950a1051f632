import { describe, expect, it } from 'vitest'
import { Qos2ReplayGuard } from '../src/qos2-replay-guard.js'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('QoS 2 replay guard (a broker resending a PUBLISH it already released)', () => {
  it('recognizes a DUP PUBLISH of a released message by id, topic and payload', () => {
    const g = new Qos2ReplayGuard()
    g.delivered(7, 'a/b', bytes('42'))
    expect(g.isReplay(7, true, 'a/b', bytes('42'))).toBe(false) // not released yet: the session's inbound ids cover it
    g.release(7)
    expect(g.isReplay(7, true, 'a/b', bytes('42'))).toBe(true)
  })

  it('never flags a first delivery, another payload or topic, or an id reused by a new message', () => {
    const g = new Qos2ReplayGuard()
    g.delivered(7, 'a/b', bytes('42'))
    g.release(7)
    expect(g.isReplay(7, false, 'a/b', bytes('42'))).toBe(false)
    expect(g.isReplay(7, true, 'a/b', bytes('43'))).toBe(false)
    expect(g.isReplay(7, true, 'a/c', bytes('42'))).toBe(false)
    g.delivered(7, 'x', bytes('new'))
    expect(g.isReplay(7, true, 'a/b', bytes('42'))).toBe(false)
  })

  it('forgets everything when the server has no session, and keeps only the most recent ids', () => {
    const g = new Qos2ReplayGuard(2)
    for (const id of [1, 2, 3]) { g.delivered(id, 't', bytes(String(id))); g.release(id) }
    expect(g.isReplay(1, true, 't', bytes('1'))).toBe(false)
    expect(g.isReplay(3, true, 't', bytes('3'))).toBe(true)
    g.clear()
    expect(g.isReplay(3, true, 't', bytes('3'))).toBe(false)
  })
})
