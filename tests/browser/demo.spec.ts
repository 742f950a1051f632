// `npm run demo` end to end: the embedded aedes broker, the Node sensor publisher and the served dashboard,
// started by one command; the printed URL opens a dashboard that fills with live sensor data.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'

const root = fileURLToPath(new URL('../../', import.meta.url))

test('npm run demo serves a dashboard with live sensor data from the embedded broker', async ({ page }, testInfo) => {
  const demo = spawn(process.execPath, ['examples/demo/demo.mjs'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)))
  try {
    const url = await new Promise<string>((resolve, reject) => {
      demo.stdout.setEncoding('utf8')
      demo.stderr.setEncoding('utf8')
      demo.stderr.on('data', (s: string) => { output += s })
      demo.stdout.on('data', (s: string) => {
        output += s
        const match = /dashboard at (\S+)/.exec(output)
        if (match) resolve(match[1]!)
      })
      void exited.then((code) => reject(new Error(`demo exited (${code}) before printing its URL:\n${output}`)))
    })
    await page.goto(url)
    await expect(page.locator('#state')).toHaveAttribute('data-state', 'connected')
    const kitchen = page.locator('#topics tr[data-topic="sensors/kitchen/temperature"]')
    await expect(kitchen.locator('td.value')).toHaveText(/^\d+\.\d\d$/)
    // Retained values arrive first; three more ticks give the sparkline a line.
    await expect(kitchen.locator('td.count')).toHaveText(/^([3-9]|\d\d+)$/, { timeout: 20_000 })
    await expect(page.locator('#topics tr[data-topic="sensors/heartbeat"]')).toBeVisible()
    await page.screenshot({ path: testInfo.outputPath('demo-dashboard.png'), fullPage: true })
  } finally {
    demo.kill('SIGTERM')
    expect(await exited).toBe(0)
  }
})
