// Packet ids: 1..65535, never one in use, wrapping around, and FIFO waiting when all are taken.
import { describe, expect, it } from 'vitest'
import { PacketIds } from '../src/packet-ids.js'

describe('PacketIds', () => {
  it('hands out 1..65535, skips ids in use and wraps around', () => {
    const ids = new PacketIds()
    expect(ids.tryAcquire()).toBe(1)
    expect(ids.tryAcquire()).toBe(2)
    ids.claim(3)
    expect(ids.tryAcquire()).toBe(4)
    for (let i = 5; i <= 65535; i++) expect(ids.tryAcquire()).toBe(i)
    expect(ids.tryAcquire()).toBeUndefined()
    ids.release(2)
    expect(ids.tryAcquire()).toBe(2)
    ids.release(1)
    ids.release(65535)
    expect(ids.tryAcquire()).toBe(65535)
    expect(ids.tryAcquire()).toBe(1)
  })

  it('makes callers wait in order when every id is in use', async () => {
    const ids = new PacketIds()
    for (let i = 1; i <= 65535; i++) ids.tryAcquire()
    const first = ids.acquire()
    const second = ids.acquire()
    expect(first).toBeInstanceOf(Promise)
    ids.release(10)
    ids.release(20)
    expect(await first).toBe(10)
    expect(await second).toBe(20)
    expect(ids.size).toBe(65535)
  })
})
