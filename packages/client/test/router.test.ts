// The topic-filter trie: each matching subscription exactly once, agreeing with the codec's topicMatches.
import { topicMatches } from '@isomqtt/codec'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Router, type Route } from '../src/router.js'

const route = (name: string): Route & { name: string } => ({ name, matchMark: 0 })
const names = (r: Router<Route & { name: string }>, topic: string) => r.match(topic, []).map((x) => x.name).sort()

describe('Router', () => {
  it('matches exact, + and # filters, including # matching its parent level', () => {
    const r = new Router<Route & { name: string }>()
    for (const f of ['a/b', 'a/+', 'a/#', '#', '+/+', 'a/b/c', '+/b/#']) r.add(f, route(f))
    expect(names(r, 'a/b')).toEqual(['#', '+/+', '+/b/#', 'a/#', 'a/+', 'a/b'].sort())
    expect(names(r, 'a')).toEqual(['#', 'a/#'].sort())
    expect(names(r, 'a/b/c')).toEqual(['#', '+/b/#', 'a/#', 'a/b/c'].sort())
    expect(names(r, 'x/y')).toEqual(['#', '+/+'].sort())
  })

  it('does not match $-topics with a leading wildcard [MQTT-4.7.2-1]', () => {
    const r = new Router<Route & { name: string }>()
    for (const f of ['#', '+/x', '$SYS/#', '$SYS/+']) r.add(f, route(f))
    expect(names(r, '$SYS/x')).toEqual(['$SYS/#', '$SYS/+'])
  })

  it('returns a route once even when several of its filters match', () => {
    const r = new Router<Route & { name: string }>()
    const one = route('one')
    r.add('a/#', one)
    r.add('a/+', one)
    r.add('a/b', one)
    expect(r.match('a/b', [])).toEqual([one])
    expect(r.match('a/b', [])).toEqual([one])
  })

  it('routes a shared subscription by its inner filter, and keeps each group and the plain filter apart', () => {
    const r = new Router<Route & { name: string }>()
    const g1 = route('g1')
    const g2 = route('g2')
    const plain = route('plain')
    const queue = route('queue')
    r.add('$share/g1/s/+', g1)
    r.add('$share/g2/s/#', g2)
    r.add('s/+', plain)
    r.add('$queue/s/x', queue)
    expect(r.size).toBe(4)
    // The server delivers a shared subscription's messages with their own topic [MQTT-4.8.2].
    expect(names(r, 's/x')).toEqual(['g1', 'g2', 'plain', 'queue'])
    expect(names(r, '$SYS/x')).toEqual([])
    expect(r.routesOf('$share/g1/s/+')).toEqual([g1])
    expect(r.routesOf('s/+')).toEqual([plain])
    expect(r.routesOf('$share/g2/s/+')).toEqual([])
    // One route holding a filter both ways gets a message once.
    r.add('$share/g1/s/x', plain)
    expect(r.match('s/x', []).filter((x) => x === plain)).toHaveLength(1)
    expect(r.remove('$share/g1/s/+', g1)).toBe(true)
    expect(r.remove('$share/g1/s/+', g1)).toBe(false)
    expect(names(r, 's/y')).toEqual(['g2', 'plain'])
    expect(r.remove('s/+', plain)).toBe(true)
    expect(r.routesOf('$share/g1/s/x')).toEqual([plain])
    expect(r.size).toBe(3)
  })

  it('removes routes and prunes empty branches', () => {
    const r = new Router<Route & { name: string }>()
    const x = route('x')
    r.add('a/b/c', x)
    expect(r.remove('a/b/c', x)).toBe(true)
    expect(r.remove('a/b/c', x)).toBe(false)
    expect(r.size).toBe(0)
    expect(r.match('a/b/c', [])).toEqual([])
    expect(r.routesOf('a/b')).toEqual([])
  })

  it('answers a repeated topic from what it remembers, and forgets that when routes are added or removed', () => {
    const r = new Router<Route & { name: string }>()
    const x = route('x')
    const y = route('y')
    r.add('s/+', x)
    expect(names(r, 's/1')).toEqual(['x'])
    expect(names(r, 's/1')).toEqual(['x'])
    r.add('s/#', y)
    expect(names(r, 's/1')).toEqual(['x', 'y'])
    r.remove('s/+', x)
    expect(names(r, 's/1')).toEqual(['y'])
    // The caller's array is filled, not the remembered one handed out.
    const out = r.match('s/1', [])
    out.length = 0
    expect(names(r, 's/1')).toEqual(['y'])
  })

  it('agrees with topicMatches on random filters and topics', () => {
    const level = fc.constantFrom('a', 'b', '', '$x')
    // Topic names are at least one character long [MQTT-4.7.3-1].
    const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => l.join('/')).filter((t) => t.length > 0)
    const filterLevel = fc.constantFrom('a', 'b', '', '+', '$x')
    // Some of them shared subscriptions, which match as their inner filter.
    const filter = fc
      .tuple(fc.array(filterLevel, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.constantFrom('', '', '$share/g/', '$share/h/'))
      .map(([l, hash, share]) => share + (hash ? [...l, '#'] : l).join('/'))
    fc.assert(
      fc.property(fc.array(filter, { minLength: 1, maxLength: 8 }), topic, (filters, t) => {
        const r = new Router<Route & { name: string }>()
        filters.forEach((f, i) => r.add(f, route(`${i}`)))
        const got = r.match(t, []).map((x) => Number(x.name)).sort((p, q) => p - q)
        const want = filters.map((f, i) => (topicMatches(f, t) ? i : -1)).filter((i) => i >= 0)
        expect(got).toEqual(want)
      }),
      { numRuns: 500 },
    )
  })
})
