// The store contract suite, run in Chromium against real IndexedDB.
import { IndexedDbStore } from '@isomqtt/store'
import { storeContract } from '../../../packages/store/test/store-contract.js'
import { runAll } from '../support/mini-runner.js'

storeContract('IndexedDbStore', (location, options) => new IndexedDbStore(location, options), { persistent: true })
;(globalThis as { runStoreContract?: typeof runAll }).runStoreContract = runAll
