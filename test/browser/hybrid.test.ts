import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryStorage } from '../../src/storage/memory.js'
import { hybridClient, memoryTorrent, randomBytesOf, sha256, startWsTracker, whenDone } from '../webrtc/helpers.js'
import { hasLibtorrent, libtorrentSeed } from '../peers/reference.js'
import { freePort } from '../integration/fixtures.js'
import { launchBrowser, skipReason } from './harness.js'
import { pageDownload } from './page-scripts.js'

// The bridge: only libtorrent has the data (TCP); our Node client downloads it over TCP and
// serves it over WebRTC, in the same torrent, to a browser that cannot speak TCP.
test('libtorrent seeds over TCP, our Node hybrid bridges, a browser downloads over WebRTC', {
  timeout: 90_000, skip: skipReason ?? (hasLibtorrent ? undefined : 'python3-libtorrent is not installed'),
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ss-hybrid-'))
  const tracker = await startWsTracker()
  const node = hybridClient({ port: 0, host: '127.0.0.1' })
  const browser = await launchBrowser()
  const ltPort = await freePort()
  let lt: ReturnType<typeof libtorrentSeed> | undefined
  try {
    const data = randomBytesOf(1536 * 1024 + 21)
    const { metainfo, torrent } = await memoryTorrent(data, [tracker.url], 'bridge.bin')
    await mkdir(join(dir, 'lt'), { recursive: true })
    await writeFile(join(dir, 'lt', 'bridge.bin'), data)
    await writeFile(join(dir, 'bridge.torrent'), torrent)
    lt = libtorrentSeed(join(dir, 'bridge.torrent'), join(dir, 'lt'), ltPort)
    await lt.waitFor(/READY/, 30_000)

    const hosts = new Set<string>()
    const t = await node.client.add(metainfo, { peers: [{ host: '127.0.0.1', port: ltPort }], createStorage: (l) => new MemoryStorage(l) })
    t.on('wire', (_w, addr) => hosts.add(addr.host))
    await whenDone(t, 40_000, node)
    assert.ok(hosts.has('127.0.0.1'), 'the Node client got the data from libtorrent over TCP')

    const page = await browser.page()
    const r = await page.evaluate(pageDownload, { torrent: [...torrent], timeoutMs: 40_000 })
    assert.equal(r.sha256, sha256(data))
    assert.ok([...hosts].some((h) => h.startsWith('webrtc:')), 'the browser came in over WebRTC')
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbrowser log: ${browser.logs.slice(-20).join('\n')}\nnode warnings: ${node.warnings.join('; ')}`)
  } finally {
    await node.client.destroy()
    await browser.close()
    await lt?.stop()
    await tracker.close()
    await rm(dir, { recursive: true, force: true })
  }
})
