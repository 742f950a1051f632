// What a resubscribe sends: each live filter once; under MQTT 5 grouped by the Subscription Identifier the
// server's subscription on it carried (one SUBSCRIBE per identifier, with that SUBSCRIBE's user properties).
import { describe, expect, it } from 'vitest'
import { resubscribePlan } from '../src/resubscribe.js'

describe('resubscribe plan', () => {
  it('without identifiers: one group, each filter once at the highest QoS asked for it', () => {
    const plan = resubscribePlan([
      { id: undefined, entries: [{ filter: 'a/#', qos: 0 }, { filter: 'b', qos: 1 }] },
      { id: undefined, entries: [{ filter: 'a/#', qos: 2 }] },
    ], () => undefined)
    expect(plan).toEqual([{ id: undefined, entries: [{ filter: 'a/#', qos: 2 }, { filter: 'b', qos: 1 }] }])
  })

  it('with identifiers: one group per identifier, a shared filter under its latest identifier with that subscription\'s options', () => {
    const latest = new Map([['a/#', 2], ['a/+', 1], ['c', 2]])
    const plan = resubscribePlan([
      { id: 1, entries: [{ filter: 'a/+', qos: 1, noLocal: true }, { filter: 'a/#', qos: 2 }], userProperties: [['k', '1']] },
      { id: 2, entries: [{ filter: 'a/#', qos: 0, retainHandling: 2 }, { filter: 'c', qos: 1 }], userProperties: [['k', '2']] },
    ], (f) => latest.get(f))
    expect(plan).toEqual([
      { id: 1, entries: [{ filter: 'a/+', qos: 1, noLocal: true }], userProperties: [['k', '1']] },
      { id: 2, entries: [{ filter: 'a/#', qos: 0, retainHandling: 2 }, { filter: 'c', qos: 1 }], userProperties: [['k', '2']] },
    ])
  })
})
