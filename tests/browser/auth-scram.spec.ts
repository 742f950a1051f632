// The SCRAM-SHA-256 authenticator of examples/auth-scram runs unchanged in Chromium (WebCrypto, btoa).
import { expect, test } from '@playwright/test'

test('SCRAM-SHA-256 enhanced authentication connects, re-authenticates and refuses a wrong password in Chromium', async ({ page }) => {
  await page.goto(`${process.env.ISOMQTT_PAGE_URL}/tests/browser/pages/blank.html`)
  const result = await page.evaluate(async () => {
    // A URL path the page server serves, built by the browser test setup; not a module TypeScript can see.
    const modulePath = '/.tmp/browser-pages/auth-scram.js'
    await import(modulePath)
    return (globalThis as unknown as { runScramExample: () => Promise<unknown> }).runScramExample()
  })
  expect(result).toEqual({ connected: true, reauthenticated: true, wrongPassword: 'BAD_CREDENTIALS' })
})
