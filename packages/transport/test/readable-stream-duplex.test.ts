// The transports extend readable-stream's Duplex loaded from its defining module (smaller browser bundles):
// it must be the very class the package exports, so an upgrade that moves the file fails here, not for users.
import { Duplex as PackageDuplex } from 'readable-stream'
import { describe, expect, it } from 'vitest'
import { Duplex } from '../src/readable-duplex.js'
import { createDuplexPair, WebSocketDuplex } from '../src/index.node.js'

describe('readable-stream Duplex loaded from its own module', () => {
  it('is the class readable-stream exports, and our Duplexes are instances of it', () => {
    expect(Duplex).toBe(PackageDuplex)
    const [a, b] = createDuplexPair()
    expect(a).toBeInstanceOf(PackageDuplex)
    expect(Object.getPrototypeOf(WebSocketDuplex.prototype)).toBe(PackageDuplex.prototype)
    a.destroy()
    b.destroy()
  })
})
