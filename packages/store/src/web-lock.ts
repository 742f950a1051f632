// One IndexedDbStore per database across a browser's tabs and workers: an exclusive Web Lock, held while the
// store is open. Two tabs of one app opening the same store would both replay its messages (sending them twice)
// and delete each other's.

import { StoreError } from './errors.js'

/** The part of the Web Locks API (navigator.locks) used here. */
interface LockManagerLike {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<void>): Promise<unknown>
}

/** A held lock. */
export interface HeldLock {
  release(): void
}

const NO_LOCK: HeldLock = { release() {} }

/**
 * Takes the exclusive Web Lock `name`, or rejects with LOCKED while another tab, worker or store holds it.
 * Where the Web Locks API is missing (older browsers, Node with fake-indexeddb) or refuses (an opaque
 * origin), the store opens without one, as before.
 */
export function acquireWebLock(name: string, what: string): Promise<HeldLock> {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
  if (locks === undefined) return Promise.resolve(NO_LOCK)
  return new Promise((resolve, reject) => {
    let release!: () => void
    const held = new Promise<void>((r) => { release = r })
    locks.request(name, { ifAvailable: true }, async (lock) => {
      if (lock === null) {
        reject(new StoreError('LOCKED', `${what} is open in another tab or worker (one client per store at a time)`))
        return
      }
      resolve({ release })
      await held
    }).catch(() => resolve(NO_LOCK))
  })
}
