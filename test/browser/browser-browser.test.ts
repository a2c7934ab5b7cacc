import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startWsTracker } from '../webrtc/helpers.js'
import { launchBrowser, skipReason } from './harness.js'
import { startTurn, turnSkipReason } from '../webrtc/turn.js'
import { pageDestroy, pageDownload, pageSeed } from './page-scripts.js'

// In the loopback-only test namespace Chromium gathers no host candidate of its own, so two
// pages can only meet through a relay: coturn on 127.0.0.1, both sides relay-only.
test('browser to browser through our tracker (TURN relay)', { timeout: 90_000, skip: skipReason ?? turnSkipReason }, async () => {
  const turn = await startTurn()
  const tracker = await startWsTracker()
  const browser = await launchBrowser()
  const ice = { iceServers: turn.iceServers, relay: true }
  try {
    const seeder = await browser.page()
    const leecher = await browser.page()
    const seeded = await seeder.evaluate(pageSeed, { size: 512 * 1024 + 7, announce: tracker.url, name: 'b2b.bin', ...ice })
    const r = await leecher.evaluate(pageDownload, { torrent: seeded.torrent, timeoutMs: 40_000, ...ice })
    assert.equal(r.sha256, seeded.sha256)
    assert.ok(turn.log().some((l) => /(CREATE_PERMISSION|CHANNEL_BIND) processed, success/.test(l)), 'the pages talked through the relay')
    assert.equal(await leecher.evaluate(pageDestroy, undefined), 0)
    assert.equal(await seeder.evaluate(pageDestroy, undefined), 0)
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbrowser log: ${browser.logs.slice(-20).join('\n')}`)
  } finally {
    await browser.close()
    await tracker.close()
    await turn.stop()
  }
})
