import { test, expect } from 'vitest'
import { startMosquitto } from './mosquitto.js'
import { execFileSync } from 'node:child_process'
test('broker', async () => {
  const b = await startMosquitto({ websockets: true, users: { alice: 'secret' }, persistence: true })
  const out = execFileSync('mosquitto_pub', ['-p', String(b.port), '-t', 'a', '-m', 'x', '-u', 'alice', '-P', 'secret'])
  expect(out.toString()).toBe('')
  await b.restart()
  expect(() => execFileSync('mosquitto_pub', ['-p', String(b.port), '-t', 'a', '-m', 'x', '-u', 'alice', '-P', 'bad'], {stdio:'pipe'})).toThrow()
  await b.stop()
})
