// The store contract suite (packages/store/test/store-contract.ts) against Chromium's real IndexedDB.
import { expect, test } from '@playwright/test'

test('IndexedDbStore passes the store contract suite in Chromium', async ({ page }) => {
  test.setTimeout(120_000)
  await page.goto(`${process.env.ISOMQTT_PAGE_URL}/tests/browser/pages/blank.html`)
  const results = await page.evaluate(async () => {
    await import('/.tmp/browser-pages/store-contract.js' as string)
    return (globalThis as unknown as { runStoreContract: () => Promise<Array<{ name: string; ok: boolean; error?: string }>> })
      .runStoreContract()
  })
  expect(results.length).toBeGreaterThan(10)
  const failures = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.error}`)
  expect(failures).toEqual([])
})
