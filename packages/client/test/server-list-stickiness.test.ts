import { describe, expect, it } from 'vitest'
import { ServerList } from '../src/server-list.js'

const a = new URL('mqtt://primary:1883')
const b = new URL('ws://standby:8080/mqtt')
const c = new URL('mqtts://third:8883')

describe('server list failover with stickiness', () => {
  it('tries the servers in the order given before any worked (schemes may be mixed)', () => {
    const list = new ServerList([a, b, c])
    expect(list.order().map((u) => u.href)).toEqual([a.href, b.href, c.href])
    expect(list.current?.href).toBe(a.href)
  })

  it('starts from the last server that worked and wraps around', () => {
    const list = new ServerList([a, b, c])
    list.succeeded(new URL(b.href))
    expect(list.order().map((u) => u.host)).toEqual(['standby:8080', 'third:8883', 'primary:1883'])
    list.succeeded(c)
    expect(list.order().map((u) => u.host)).toEqual(['third:8883', 'primary:1883', 'standby:8080'])
  })

  it('stays on the standby when the primary comes back (only a success moves it)', () => {
    const list = new ServerList([a, b])
    list.succeeded(b)
    // Further attempts (whatever failed) keep starting from the standby.
    expect(list.order()[0]!.host).toBe('standby:8080')
    expect(list.order()[0]!.host).toBe('standby:8080')
  })

  it('a success on an unknown server changes nothing', () => {
    const list = new ServerList([a, b])
    list.succeeded(new URL('mqtt://elsewhere:1'))
    expect(list.current?.href).toBe(a.href)
  })

  it('replaceCurrent swaps the sticky server in place (a refreshed URL) or moves to a listed one', () => {
    const list = new ServerList([a, b, c])
    list.succeeded(b)
    list.replaceCurrent(new URL('ws://standby:8080/mqtt?token=new'))
    expect(list.order().map((u) => u.href)).toEqual(['ws://standby:8080/mqtt?token=new', c.href, a.href])
    list.replaceCurrent(new URL(a.href))
    expect(list.current?.href).toBe(a.href)
    expect(list.size).toBe(3)
  })
})
