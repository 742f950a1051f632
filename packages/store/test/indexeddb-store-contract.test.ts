// Runs in Node against fake-indexeddb; the same suite runs in Chromium in tests/browser.
import 'fake-indexeddb/auto'
import { IndexedDbStore } from '@isomqtt/store'
import { storeContract } from './store-contract.js'

storeContract('IndexedDbStore', (location, options) => new IndexedDbStore(location, options), { persistent: true })
