// Bundles the browser test pages (tests/browser/pages/*.entry.ts) from the packages' TypeScript sources,
// resolved like a browser bundler does (`browser` condition, the same plugins as the CDN bundles).
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { rollup, type Plugin } from 'rollup'
import ts from 'typescript'
// @ts-expect-error: plain JavaScript module without types
import { browserPlugins } from '../../../rollup.config.mjs'

const root = fileURLToPath(new URL('../../../', import.meta.url))

/** Package sources as a browser bundler sees them; `vitest` is the in-page runner. */
const ALIASES: Record<string, string> = {
  '@isomqtt/codec': 'packages/codec/src/index.ts',
  '@isomqtt/transport': 'packages/transport/src/index.browser.ts',
  '@isomqtt/store': 'packages/store/src/index.ts',
  '@isomqtt/client': 'packages/client/src/index.browser.ts',
  vitest: 'tests/browser/support/mini-runner.ts',
}

function typescriptSources(): Plugin {
  return {
    name: 'isomqtt-ts-sources',
    resolveId(id, importer) {
      if (ALIASES[id]) return join(root, ALIASES[id])
      // NodeNext sources import './x.js' for './x.ts'.
      if (importer?.endsWith('.ts') && id.startsWith('.') && id.endsWith('.js')) {
        const candidate = resolve(dirname(importer), id.slice(0, -3) + '.ts')
        if (existsSync(candidate)) return candidate
      }
      return null
    },
    transform(code, id) {
      if (!id.endsWith('.ts')) return null
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true, verbatimModuleSyntax: true },
      })
      return { code: out.outputText, map: out.sourceMapText ? JSON.parse(out.sourceMapText) : null }
    },
  }
}

/** Builds every page entry into `outDir` as `<name>.js` (ES modules), with the lazy chunks beside them. */
export async function buildTestPages(outDir: string): Promise<string[]> {
  const pagesDir = join(root, 'tests/browser/pages')
  const entries = (await readdir(pagesDir)).filter((f) => f.endsWith('.entry.ts'))
  const built: string[] = []
  for (const entry of entries) {
    const build = await rollup({
      input: join(pagesDir, entry),
      plugins: [typescriptSources(), ...browserPlugins()],
      onwarn: () => {},
    })
    const name = entry.replace(/\.entry\.ts$/, '.js')
    // Split as an app's bundler splits it: the client's lazy chunks (MQTT 5, request()) sit next to the page
    // and load with a real dynamic import in the browser.
    await build.write({ dir: outDir, entryFileNames: name, chunkFileNames: '[name]-[hash].js', format: 'es', sourcemap: true })
    await build.close()
    built.push(join(outDir, name))
  }
  return built
}

/**
 * Bundles pages/bundler-app.mjs into `outDir`/bundler-app/ as an app's own build would: esbuild for the browser,
 * the packages resolved by name through their package.json exports (the `browser` condition, their dist/), no
 * plugins, lazy chunks split off. A Node-only module reaching the browser path fails this build.
 */
export async function buildBundlerApp(outDir: string): Promise<void> {
  await build({
    entryPoints: [join(root, 'tests/browser/pages/bundler-app.mjs')],
    outdir: join(outDir, 'bundler-app'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    sourcemap: true,
    logLevel: 'warning',
  })
}
