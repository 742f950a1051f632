// What a bundler puts in a browser app that uses connect over WebSocket with the MemoryStore: resolved with the
// `browser` condition from the built packages, it holds no Node-only module and none of the parts it does not use,
// and MQTT 5 (the app connects with the default MQTT 3.1.1) stays in lazy chunks the app does not load at start.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { rollup } from 'rollup'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: plain JavaScript module without types
import { browserPlugins } from '../../rollup.config.mjs'
// @ts-expect-error: plain JavaScript module without types
import { minimalApp } from '../../scripts/size.mjs'

const built = fileURLToPath(new URL('../../packages/client/dist/index.js', import.meta.url))

/** The modules with code in the entry chunk (loaded at start) and in the lazy chunks (dynamic imports). */
async function modulesOf(code: string): Promise<{ entry: string[]; lazy: string[] }> {
  const build = await rollup({ input: 'virtual:entry', plugins: browserPlugins({ entry: code }), onwarn: () => {} })
  const { output } = await build.generate({ format: 'es' })
  await build.close()
  const rendered = (c: (typeof output)[number]): string[] =>
    c.type === 'chunk' ? Object.entries(c.modules).filter(([, m]) => m.renderedLength > 0).map(([id]) => id) : []
  return { entry: output.filter((c) => c.type === 'chunk' && c.isEntry).flatMap(rendered), lazy: output.filter((c) => c.type === 'chunk' && !c.isEntry).flatMap(rendered) }
}

const ours = (ids: string[]): string[] => ids.filter((id) => id.includes('/packages/')).map((id) => id.replace(/.*\/packages\//, ''))

describe('browser bundles of the minimal app', () => {
  it('contain no Node-only module and no unused store or transport', { timeout: 60_000 }, async () => {
    expect(existsSync(built), 'run `npm run build` first').toBe(true)
    const { entry, lazy } = await modulesOf(minimalApp)
    const modules = [...entry, ...lazy]
    expect(ours(entry)).toContain('transport/dist/browser-websocket-transport.js')
    for (const nodeOnly of ['tcp-transport', 'tls-transport', 'unix-transport', 'node-websocket-transport', 'file-store', 'file-log', 'index.node']) {
      expect(ours(modules).filter((id) => id.includes(nodeOnly))).toEqual([])
    }
    // Tree-shaking: the IndexedDB store (and idb-keyval) stay out of an app that does not use them.
    expect(ours(modules).filter((id) => id.includes('indexeddb-store'))).toEqual([])
    expect(modules.filter((id) => id.includes('idb-keyval'))).toEqual([])
    expect(modules.filter((id) => /(^|[/\0])(net|tls|fs|ws|isomorphic-ws)([/.]|$)/.test(id.replace(/.*node_modules\//, '')))).toEqual([])
    // readable-stream's Duplex comes from its own module: the package's main one (pipeline, compose, operators) stays out.
    expect(modules.filter((id) => /readable-stream\/lib\/(stream\.js|ours\/browser\.js|internal\/streams\/(pipeline|compose|operators)\.js)/.test(id))).toEqual([])
  })

  it('load MQTT 5 (session, AUTH, topic aliases, identifiers, limits, request()) only in lazy chunks', { timeout: 60_000 }, async () => {
    expect(existsSync(built), 'run `npm run build` first').toBe(true)
    const { entry, lazy } = await modulesOf(minimalApp)
    const v5 = ['mqtt5-session.js', 'mqtt5-control.js', 'mqtt5-link.js', 'auth.js', 'topic-alias.js',
      'subscription-ids.js', 'server-limits.js', 'request-response.js'].map((f) => `client/dist/${f}`)
    expect(ours(entry).filter((id) => v5.includes(id))).toEqual([])
    expect(ours(lazy)).toEqual(expect.arrayContaining(v5))
  })
})
