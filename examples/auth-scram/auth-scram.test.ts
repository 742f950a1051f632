import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { createClient, type MqttError } from '@isomqtt/client'
import { runExample } from './main.js'
import { scramBroker } from './memory-broker.js'
import { scramSha256 } from './scram-authenticator.js'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
// A step answers with bytes, or with { data, userProperties }: the test reads the bytes either way.
const text = (r: Uint8Array | undefined | { data?: Uint8Array }): string =>
  new TextDecoder().decode(r instanceof Uint8Array || r === undefined ? r : r.data)

it('runs: connects with SCRAM-SHA-256, re-authenticates, and a wrong password is refused', async () => {
  expect(await runExample()).toEqual({ connected: true, reauthenticated: true, wrongPassword: 'BAD_CREDENTIALS' })
})

it('computes RFC 7677 test vector exactly (client-first, client-final with proof, server signature check)', async () => {
  const auth = scramSha256({ username: 'user', password: 'pencil', nonce: () => 'rOprNGfwEbeRWgbNEkqO' })
  const first = await auth.step({ phase: 'start', data: undefined, reauthenticate: false })
  expect(text(first)).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'
  const final = await auth.step({ phase: 'continue', data: utf8(serverFirst), reauthenticate: false })
  expect(text(final)).toBe('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')
  await expect(auth.step({ phase: 'done', data: utf8('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='), reauthenticate: false })).resolves.toBeUndefined()
})

it('refuses a server that cannot prove it knows the password, and weak iteration counts', async () => {
  const auth = scramSha256({ username: 'user', password: 'pencil', nonce: () => 'abc' })
  await auth.step({ phase: 'start', data: undefined, reauthenticate: false })
  await auth.step({ phase: 'continue', data: utf8('r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'), reauthenticate: false })
  await expect(auth.step({ phase: 'done', data: utf8('v=AAAA'), reauthenticate: false })).rejects.toThrow(/signature/)
  await auth.step({ phase: 'start', data: undefined, reauthenticate: true })
  await expect(auth.step({ phase: 'continue', data: utf8('r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1'), reauthenticate: true })).rejects.toThrow(/iterations/)
  await expect(auth.step({ phase: 'continue', data: utf8('r=zzz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'), reauthenticate: true })).rejects.toThrow(/nonce/)
})

it('an unknown user is refused like a wrong password, and the password never appears in errors', async () => {
  const broker = scramBroker(new Map())
  const client = createClient({ servers: ['mqtt://scram.example'], protocolVersion: 5, transport: broker.transport, authenticator: scramSha256({ username: 'mallory', password: 'hunter2-secret' }) })
  const err = (await client.connect().catch((e: unknown) => e)) as MqttError
  expect(err.code).toBe('BAD_CREDENTIALS')
  expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain('hunter2-secret')
})

it('uses only what browsers have: WebCrypto, btoa/atob, TextEncoder (no Node built-ins, no Buffer)', () => {
  for (const file of ['scram-authenticator.ts', 'scram-crypto.ts', 'scram-server.ts', 'memory-broker.ts', 'run-example.ts']) {
    const source = readFileSync(new URL(file, import.meta.url), 'utf8')
    expect(source).not.toMatch(/from 'node:|require\(|\bBuffer\b|process\./)
  }
})
