// The browser entry bundles for browsers without any Node built-in: no net, tls, fs, ws or node: module.
import { fileURLToPath } from 'node:url'
import commonjsModule from '@rollup/plugin-commonjs'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescriptModule from '@rollup/plugin-typescript'
import { rollup, type RollupLog } from 'rollup'
import { describe, expect, it } from 'vitest'

// These plugins are CommonJS typed as ES modules: take `default` where the loader left it.
const commonjs = ((commonjsModule as { default?: unknown }).default ?? commonjsModule) as typeof commonjsModule.default
const typescript = ((typescriptModule as { default?: unknown }).default ?? typescriptModule) as typeof typescriptModule.default

const entry = fileURLToPath(new URL('../src/index.browser.ts', import.meta.url))
const nodeOnly = /^(node:|net$|tls$|fs$|fs\/|dns$|http$|https$|child_process$|ws$|isomorphic-ws)/

describe('browser bundle', () => {
  it('contains no Node built-in and no Node-only module', async () => {
    const warnings: RollupLog[] = []
    const bundle = await rollup({
      input: entry,
      onwarn: (w) => { warnings.push(w) },
      plugins: [
        typescript({
          tsconfig: false,
          compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, lib: ['ES2022', 'DOM'], types: [] },
          include: [fileURLToPath(new URL('../src/**/*.ts', import.meta.url))],
        }),
        nodeResolve({ browser: true, preferBuiltins: false }),
        commonjs(),
      ],
    })
    const { output } = await bundle.generate({ format: 'es' })
    await bundle.close()
    const chunk = output.find((o) => o.type === 'chunk')!
    const modules = Object.keys(chunk.modules)
    // Nothing left outside the bundle, so nothing the browser would have to resolve.
    expect(chunk.imports).toEqual([])
    expect(warnings.filter((w) => w.code === 'UNRESOLVED_IMPORT').map((w) => w.exporter)).toEqual([])
    expect(modules.filter((m) => /node_modules\/(ws|isomorphic-ws)\//.test(m))).toEqual([])
    expect(modules.filter((m) => /packages\/transport\/src\/(tcp|tls|unix|socket|node)-/.test(m))).toEqual([])
    const requires = [...chunk.code.matchAll(/(?:require\(|from |import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!)
    expect(requires.filter((r) => nodeOnly.test(r))).toEqual([])
    expect(chunk.code).not.toMatch(/['"]node:/)
    expect(chunk.exports).toEqual(expect.arrayContaining(['openTransport', 'createWebSocketTransport', 'TransportError', 'createDuplexPair']))
  }, 60_000)
})
