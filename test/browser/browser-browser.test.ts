import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startWsTracker } from '../webrtc/helpers.js'
import { launchBrowser, skipReason } from './harness.js'
import { pageDestroy, pageDownload, pageSeed } from './page-scripts.js'

test('browser to browser through our tracker', { timeout: 90_000, skip: skipReason }, async () => {
  const tracker = await startWsTracker()
  const browser = await launchBrowser()
  try {
    const seeder = await browser.page()
    const leecher = await browser.page()
    const seeded = await seeder.evaluate(pageSeed, { size: 512 * 1024 + 7, announce: tracker.url, name: 'b2b.bin' })
    const r = await leecher.evaluate(pageDownload, { torrent: seeded.torrent, timeoutMs: 40_000 })
    assert.equal(r.sha256, seeded.sha256)
    assert.equal(await leecher.evaluate(pageDestroy, undefined), 0)
    assert.equal(await seeder.evaluate(pageDestroy, undefined), 0)
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbrowser log: ${browser.logs.slice(-20).join('\n')}`)
  } finally {
    await browser.close()
    await tracker.close()
  }
})
