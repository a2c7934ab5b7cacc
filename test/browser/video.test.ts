/** A <video> in real Chromium plays a torrent while it downloads, and seeks: the file comes
 * over WebRTC from a throttled Node seeder, through the streaming service worker. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync, execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { filledStorage, hybridClient, memoryTorrent, startWsTracker } from '../webrtc/helpers.js'
import { launchBrowser, skipReason } from './harness.js'
import { pagePlayVideo } from './video-page.js'
import { tempDir } from '../integration/fixtures.js'

const noFfmpeg = spawnSync('ffmpeg', ['-version']).error !== undefined ? 'ffmpeg is not installed (Debian: apt-get install ffmpeg)' : undefined

test('a <video> plays a torrent while it downloads, and plays on after a seek to the middle', { timeout: 120_000, skip: skipReason ?? noFfmpeg }, async () => {
  const dir = await tempDir()
  const tracker = await startWsTracker()
  const node = hybridClient({ port: false })
  const browser = await launchBrowser()
  try {
    // 40 s of VP8 + Opus, about 1.2 MB (30 KB/s of media); the seeder sends 50 KB/s, so the
    // whole file takes ~24 s while playback needs it at a bit over half that pace.
    const path = join(dir.path, 'clip.webm')
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc=duration=40:size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=40',
      '-c:v', 'libvpx', '-b:v', '350k', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus', '-b:a', '48k', path], { timeout: 60_000 })
    const data = new Uint8Array(await readFile(path))
    const { metainfo, torrent } = await memoryTorrent(data, [tracker.url], 'clip.webm', 16384)
    const storage = await filledStorage(metainfo, data)
    await node.client.add(metainfo, { seeding: true, createStorage: () => storage, uploadLimit: 50_000 })
    const page = await browser.page()
    const r = await page.evaluate(pagePlayVideo, { torrent: [...torrent], timeoutMs: 60_000 })
    assert.equal(r.via, 'service-worker')
    assert.ok(r.playedTo > 2, `played past 2 s (${r.playedTo})`)
    assert.ok(r.resumedAt >= r.seekTo && r.resumedAt > r.seekTo + 1, `played on after the seek to ${r.seekTo} (at ${r.resumedAt})`)
    assert.ok(r.progressAfterSeek < 1, `the download was still running (${r.progressAfterSeek})`)
    assert.ok(r.rangeRequests >= 2, 'the element made range requests through the worker')
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbrowser log: ${browser.logs.slice(-20).join('\n')}\nnode warnings: ${node.warnings.join('; ')}`)
  } finally {
    await node.client.destroy()
    await browser.close()
    await tracker.close()
    await dir.cleanup()
  }
})

test('where no service worker can run, the file plays from a Blob URL once complete', { timeout: 120_000, skip: skipReason ?? noFfmpeg }, async () => {
  const dir = await tempDir()
  const tracker = await startWsTracker()
  const node = hybridClient({ port: false })
  const browser = await launchBrowser()
  try {
    const path = join(dir.path, 'short.webm')
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc=duration=6:size=160x120:rate=25', '-c:v', 'libvpx', '-b:v', '200k', '-deadline', 'realtime', '-cpu-used', '8', path], { timeout: 60_000 })
    const data = new Uint8Array(await readFile(path))
    const { metainfo, torrent } = await memoryTorrent(data, [tracker.url], 'short.webm', 16384)
    const storage = await filledStorage(metainfo, data)
    await node.client.add(metainfo, { seeding: true, createStorage: () => storage })
    const page = await browser.page()
    const r = await page.evaluate(pagePlayVideo, { torrent: [...torrent], timeoutMs: 60_000, blobOnly: true })
    assert.equal(r.via, 'blob')
    assert.ok(r.resumedAt > r.seekTo + 1)
    assert.equal(r.progressAfterSeek, 1)
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbrowser log: ${browser.logs.slice(-20).join('\n')}`)
  } finally {
    await node.client.destroy()
    await browser.close()
    await tracker.close()
    await dir.cleanup()
  }
})
