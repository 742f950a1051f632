// The SCRAM-SHA-256 example (examples/auth-scram) bundled for Chromium: same code as in Node, WebCrypto only.
import { runExample } from '../../../examples/auth-scram/run-example.js'

;(globalThis as Record<string, unknown>).runScramExample = runExample
