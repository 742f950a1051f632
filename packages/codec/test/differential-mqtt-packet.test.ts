// Differential tests against mqtt-packet v9: thousands of random valid packets of each version go both
// ways (our bytes through its parser, its bytes through ours) and must mean the same packet.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodePacket, encode, type ProtocolVersion } from '@isomqtt/codec'
import { packetArb } from './helpers/arbitraries.js'
import { theirDecode, theirEncode, toOurs } from './helpers/mqtt-packet-mapping.js'

const RUNS = 2000

describe.each([3, 4, 5] as const)('MQTT version %i against mqtt-packet', (version: ProtocolVersion) => {
  it('our bytes decode with mqtt-packet to the same packet', () => {
    fc.assert(
      fc.property(packetArb(version, true), (packet) => {
        const ours = encode(packet, version)
        expect(toOurs(theirDecode(ours, version), version)).toEqual(packet)
      }),
      { numRuns: RUNS },
    )
  })

  it("mqtt-packet's bytes decode with ours to the same packet", () => {
    fc.assert(
      fc.property(packetArb(version, true), (packet) => {
        expect(decodePacket(theirEncode(packet, version), version)).toEqual(packet)
      }),
      { numRuns: RUNS },
    )
  })
})
