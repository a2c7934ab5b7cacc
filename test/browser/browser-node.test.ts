import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryStorage } from '../../src/storage/memory.js'
import { parseTorrent } from '../../src/metainfo/index.js'
import { hybridClient, memoryTorrent, randomBytesOf, readAll, seedFromMemory, sha256, startWsTracker, whenDone } from '../webrtc/helpers.js'
import { launchBrowser, skipReason } from './harness.js'
import { pageDestroy, pageDownload, pageSeed } from './page-scripts.js'

test('a browser downloads from a Node peer over WebRTC', { timeout: 90_000, skip: skipReason }, async () => {
  const tracker = await startWsTracker()
  const node = hybridClient({ port: false })
  const browser = await launchBrowser()
  try {
    const data = randomBytesOf(1024 * 1024 + 3)
    const { metainfo, torrent } = await memoryTorrent(data, [tracker.url])
    await seedFromMemory(node.client, metainfo, data)
    const page = await browser.page()
    const r = await page.evaluate(pageDownload, { torrent: [...torrent], timeoutMs: 45_000 })
    assert.equal(r.sha256, sha256(data))
    assert.ok(r.wires >= 1)
    assert.equal(await page.evaluate(pageDestroy, undefined), 0, 'the page closed its tracker socket')
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbrowser log: ${browser.logs.slice(-20).join('\n')}\nnode warnings: ${node.warnings.join('; ')}`)
  } finally {
    await node.client.destroy()
    await browser.close()
    await tracker.close()
  }
})

test('a browser seeds a file made in the page and a Node client downloads it', { timeout: 90_000, skip: skipReason }, async () => {
  const tracker = await startWsTracker()
  const node = hybridClient({ port: false })
  const browser = await launchBrowser()
  try {
    const page = await browser.page()
    const seeded = await page.evaluate(pageSeed, { size: 700 * 1024 + 11, announce: tracker.url, name: 'made-in-page.bin' })
    const metainfo = parseTorrent(new Uint8Array(seeded.torrent))
    let storage: MemoryStorage | undefined
    const t = await node.client.add(metainfo, { createStorage: (l) => (storage = new MemoryStorage(l)) })
    await whenDone(t, 45_000, node)
    assert.equal(sha256(await readAll(storage!, metainfo)), seeded.sha256)
    assert.equal(metainfo.name, 'made-in-page.bin')
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbrowser log: ${browser.logs.slice(-20).join('\n')}`)
  } finally {
    await node.client.destroy()
    await browser.close()
    await tracker.close()
  }
})
