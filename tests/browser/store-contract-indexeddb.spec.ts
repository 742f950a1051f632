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

test('IndexedDbStore: one open instance per database across tabs (LOCKED for another), free again once closed', async ({ page }) => {
  const blank = `${process.env.ISOMQTT_PAGE_URL}/tests/browser/pages/blank.html`
  const other = await page.context().newPage()
  for (const p of [page, other]) {
    await p.goto(blank)
    await p.evaluate(async () => { (globalThis as Record<string, unknown>).iso = await import('/dist/isomqtt.esm.js' as string) })
  }
  const name = `lock-${Date.now()}`
  await page.evaluate(async (n) => {
    const g = globalThis as Record<string, any>
    g.store = new g.iso.IndexedDbStore(n)
    await g.store.open()
    await g.store.put('o.1', new Uint8Array([1, 2, 3]))
  }, name)
  const tryOpen = (n: string) => other.evaluate(async (n) => {
    const g = globalThis as Record<string, any>
    const s = new g.iso.IndexedDbStore(n)
    try {
      await s.open()
      const keys = await s.keys()
      await s.close()
      return `opened: ${keys.join(',')}`
    } catch (err) {
      return `${(err as { code?: string }).code}: ${(err as Error).message}`
    }
  }, n)
  expect(await tryOpen(name)).toMatch(/^LOCKED: IndexedDbStore isomqtt-store:lock-\d+ is open in another tab or worker/)
  await page.evaluate(() => (globalThis as Record<string, any>).store.close())
  expect(await tryOpen(name)).toBe('opened: o.1')
  await other.close()
})
