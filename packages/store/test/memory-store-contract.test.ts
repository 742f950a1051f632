import { MemoryStore } from '@isomqtt/store'
import { storeContract } from './store-contract.js'

storeContract('MemoryStore', (_location, options) => new MemoryStore(options), { persistent: false })
