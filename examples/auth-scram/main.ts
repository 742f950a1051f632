// Connects with MQTT 5 enhanced authentication (SCRAM-SHA-256) to an in-memory broker, re-authenticates,
// and shows that a wrong password is refused. Run: npx tsx examples/auth-scram/main.ts
import { pathToFileURL } from 'node:url'
import { runExample } from './run-example.js'

export { runExample }

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runExample()
  console.log(`connected with SCRAM-SHA-256: ${result.connected}`)
  console.log(`re-authenticated: ${result.reauthenticated}`)
  console.log(`wrong password refused with: ${result.wrongPassword}`)
}
