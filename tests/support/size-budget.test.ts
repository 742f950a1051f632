// The browser size budgets (scripts/size.mjs): isomqtt's own code in a minimal app, the minimal app with
// readable-stream and its polyfills, and the full CDN bundles, all minified and gzipped. Needs the build.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: plain JavaScript module without types
import { budgets, format, measure } from '../../scripts/size.mjs'

interface Size { min: number; gzip: number }
type Measured = Record<'esmBundle' | 'minBundle' | 'minimalApp' | 'ownCode' | 'readableStream' | 'mqttjs', Size>

const bundles = fileURLToPath(new URL('../../dist/isomqtt.esm.js', import.meta.url))

describe('browser bundle size budgets (min+gzip)', () => {
  it('stays within every budget', { timeout: 120_000 }, async () => {
    expect(existsSync(bundles), 'run `npm run build` first: the budgets measure dist/').toBe(true)
    const m = (await measure()) as Measured
    console.log(format(m))
    // Checked together so one run reports every figure that is over.
    const over = [
      ['isomqtt own code in the minimal app', m.ownCode.gzip, budgets.ownCode],
      ['minimal app', m.minimalApp.gzip, budgets.minimalApp],
      ['dist/isomqtt.esm.js', m.esmBundle.gzip, budgets.fullBundle],
      ['dist/isomqtt.min.js', m.minBundle.gzip, budgets.fullBundle],
    ].filter(([, size, budget]) => (size as number) > (budget as number)).map(([name, size, budget]) => `${name}: ${size} B > ${budget} B`)
    expect(over).toEqual([])
  })
})
