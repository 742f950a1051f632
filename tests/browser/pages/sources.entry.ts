// The packages built from source for browser tests that need more than the public bundles expose.
import * as client from '@isomqtt/client'
import * as transport from '@isomqtt/transport'

;(globalThis as Record<string, unknown>).sources = { client, transport }
