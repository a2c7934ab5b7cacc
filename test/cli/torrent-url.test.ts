/** `swarmstream download http://…/x.torrent`: the .torrent is fetched (same-host redirects
 * only) and the download completes; a redirect to another host is refused with a message. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import { swarmstream, run } from '../peers/process.js'
import { fileDigest, freePort, tempDir, writeRandomFile } from '../integration/fixtures.js'

test('a .torrent by URL downloads; a redirect to another host is not followed', { timeout: 90_000 }, async () => {
  const dir = await tempDir()
  const file = join(dir.path, 'seed', 'clip.bin')
  await writeRandomFile(file, 700_000)
  const torrentPath = join(dir.path, 'clip.torrent')
  const port = await freePort()
  const seeder = swarmstream(['seed', file, '--torrent-port', String(port), '--host', '127.0.0.1', '--no-trackers', '--save-torrent', torrentPath])
  let lanHits = 0
  const lan = http.createServer((_q, r) => { lanHits++; r.end('no') })
  await new Promise<void>((r) => lan.listen(0, '127.0.0.2', r))
  const server = http.createServer(async (req, res) => {
    if (req.url === '/moved.torrent') { res.writeHead(302, { location: '/clip.torrent' }); res.end(); return }
    if (req.url === '/away.torrent') { res.writeHead(302, { location: `http://127.0.0.2:${(lan.address() as AddressInfo).port}/clip.torrent` }); res.end(); return }
    res.end(await readFile(torrentPath))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    await seeder.waitFor(/^READY/)
    const ok = await run(swarmstream(['download', `${base}/moved.torrent`, '-o', join(dir.path, 'out'), '--peer', `127.0.0.1:${port}`, '--host', '127.0.0.1', '--quiet', '--timeout', '60']), 80_000)
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(await fileDigest(join(dir.path, 'out', 'clip.bin')), await fileDigest(file))
    const away = await run(swarmstream(['download', `${base}/away.torrent`, '-o', join(dir.path, 'out2'), '--quiet', '--timeout', '20']), 40_000)
    assert.equal(away.code, 1)
    assert.match(away.stderr, /redirected to another host \(127\.0\.0\.2:\d+\); not followed/)
    assert.equal(lanHits, 0)
  } finally {
    await seeder.stop()
    server.close(); lan.close()
    await dir.cleanup()
  }
})
