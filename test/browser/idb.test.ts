import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hybridClient, memoryTorrent, randomBytesOf, seedFromMemory, sha256, startWsTracker } from '../webrtc/helpers.js'
import { launchBrowser, skipReason } from './harness.js'
import { pageIdb } from './idb-page.js'

test('a browser downloads into IndexedDB, and a new client finds the pieces there with no peer', { timeout: 120_000, skip: skipReason }, async () => {
  const tracker = await startWsTracker()
  const node = hybridClient({ port: false })
  const browser = await launchBrowser()
  try {
    const data = randomBytesOf(900 * 1024 + 7)
    const { metainfo, torrent } = await memoryTorrent(data, [tracker.url])
    await seedFromMemory(node.client, metainfo, data)
    const page = await browser.page()
    const first = await page.evaluate(pageIdb, { torrent: [...torrent], timeoutMs: 60_000, phase: 'download' })
    assert.equal(first.sha256, sha256(data))
    await node.client.destroy() // no seeder any more: only the browser's own store can help
    const again = await page.evaluate(pageIdb, { torrent: [...torrent], timeoutMs: 30_000, phase: 'reopen' })
    assert.equal(again.progress, 1, 'every piece was found in IndexedDB and verified')
    assert.equal(again.sha256, sha256(data))
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbrowser log: ${browser.logs.slice(-20).join('\n')}`)
  } finally {
    await node.client.destroy()
    await browser.close()
    await tracker.close()
  }
})
