/** A page downloads a web-seed-only torrent (BEP 19) from nginx on another origin: the
 * web seed's GETs are cross-origin fetches, allowed by the CORS headers the README asks of
 * a web seed's server (Access-Control-Allow-Origin, Allow-Headers: Range for the
 * preflight, Expose-Headers: Content-Range). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTorrentFromPath } from '../../src/metainfo/index.node.js'
import { startNginx, nginxMissing } from '../webseed/nginx.js'
import { randomData, tempDir } from '../webseed/helpers.js'
import { sha256 } from '../webrtc/helpers.js'
import { launchBrowser, skipReason } from './harness.js'
import { pageDownload } from './page-scripts.js'

test('a browser downloads a torrent from a CORS-enabled web seed alone', { timeout: 90_000, skip: skipReason ?? nginxMissing }, async () => {
  const dir = await tempDir()
  const data = randomData(1024 * 1024 + 77)
  await writeFile(join(dir.path, 'clip.bin'), data)
  const nginx = await startNginx(dir.path, { cors: true })
  const browser = await launchBrowser()
  try {
    const { torrent } = await createTorrentFromPath(join(dir.path, 'clip.bin'), { pieceLength: 64 * 1024, urlList: [`${nginx.url}/clip.bin`] })
    const page = await browser.page()
    const r = await page.evaluate(pageDownload, { torrent: [...torrent], timeoutMs: 45_000 })
    assert.equal(r.sha256, sha256(data))
    assert.equal(r.wires, 1, 'the web seed was the one peer')
    const log = await nginx.accessLog()
    assert.ok(log.some((l) => l.startsWith('206 ')), log.join('\n'))
  } catch (err) {
    throw new Error(`${(err as Error).message}\nbrowser log: ${browser.logs.slice(-20).join('\n')}\nnginx: ${(await nginx.accessLog()).slice(-10).join('\n')}`)
  } finally {
    await browser.close()
    await nginx.stop()
    await dir.cleanup()
  }
})
