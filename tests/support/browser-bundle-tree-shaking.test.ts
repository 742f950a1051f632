// What a bundler puts in a browser app that uses connect over WebSocket with the MemoryStore: resolved with the
// `browser` condition from the built packages, it holds no Node-only module and none of the parts it does not use.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { rollup } from 'rollup'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: plain JavaScript module without types
import { browserPlugins } from '../../rollup.config.mjs'
// @ts-expect-error: plain JavaScript module without types
import { minimalApp } from '../../scripts/size.mjs'

const built = fileURLToPath(new URL('../../packages/client/dist/index.js', import.meta.url))

async function modulesOf(code: string): Promise<string[]> {
  const build = await rollup({ input: 'virtual:entry', plugins: browserPlugins({ entry: code }), onwarn: () => {} })
  const { output } = await build.generate({ format: 'es' })
  await build.close()
  return Object.entries(output[0].modules).filter(([, m]) => m.renderedLength > 0).map(([id]) => id)
}

describe('browser bundles of the minimal app', () => {
  it('contain no Node-only module and no unused store or transport', { timeout: 60_000 }, async () => {
    expect(existsSync(built), 'run `npm run build` first').toBe(true)
    const modules = await modulesOf(minimalApp)
    const ours = modules.filter((id) => id.includes('/packages/')).map((id) => id.replace(/.*\/packages\//, ''))
    expect(ours).toContain('transport/dist/browser-websocket-transport.js')
    for (const nodeOnly of ['tcp-transport', 'tls-transport', 'unix-transport', 'node-websocket-transport', 'file-store', 'file-log', 'index.node']) {
      expect(ours.filter((id) => id.includes(nodeOnly))).toEqual([])
    }
    // Tree-shaking: the IndexedDB store (and idb-keyval) stay out of an app that does not use them.
    expect(ours.filter((id) => id.includes('indexeddb-store'))).toEqual([])
    expect(modules.filter((id) => id.includes('idb-keyval'))).toEqual([])
    expect(modules.filter((id) => /(^|[/\0])(net|tls|fs|ws|isomorphic-ws)([/.]|$)/.test(id.replace(/.*node_modules\//, '')))).toEqual([])
  })
})
