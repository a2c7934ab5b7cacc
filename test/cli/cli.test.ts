import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { writeFile, readFile } from 'node:fs/promises'
import { swarmstream, run } from '../peers/process.js'
import { tempDir, writeRandomFile } from '../integration/fixtures.js'
import { parseTorrent } from '../../src/metainfo/index.js'

test('create writes a torrent and prints its magnet; info reads it back', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  try {
    const file = join(dir.path, 'clip.bin')
    await writeRandomFile(file, 300_000)
    const out = join(dir.path, 'clip.torrent')
    const created = await run(swarmstream(['create', file, '--announce', 'http://127.0.0.1:6969/announce', '--announce', 'udp://127.0.0.1:6969', '-o', out, '--comment', 'hi']), 30_000)
    assert.equal(created.code, 0, created.stderr)
    const m = parseTorrent(new Uint8Array(await readFile(out)))
    assert.match(created.stdout, new RegExp(`magnet:\\?xt=urn:btih:${m.infoHashHex}`))
    assert.deepEqual(m.announce, [['http://127.0.0.1:6969/announce'], ['udp://127.0.0.1:6969']])
    const info = await run(swarmstream(['info', out, '--json']), 30_000)
    assert.equal(info.code, 0, info.stderr)
    const parsed = JSON.parse(info.stdout) as { infoHash: string; length: number; comment: string }
    assert.equal(parsed.infoHash, m.infoHashHex)
    assert.equal(parsed.length, 300_000)
    assert.equal(parsed.comment, 'hi')
    const human = await run(swarmstream(['info', out]), 30_000)
    assert.match(human.stdout, /info hash:\s+[0-9a-f]{40}/)
  } finally { await dir.cleanup() }
})

test('errors are clear and exit non-zero', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  try {
    const garbage = join(dir.path, 'garbage.torrent')
    await writeFile(garbage, 'd8:announce')
    const bad = await run(swarmstream(['info', garbage]), 30_000)
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /invalid torrent/)
    const missing = await run(swarmstream(['download', join(dir.path, 'nope.torrent'), '-o', dir.path]), 30_000)
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /no such file/)
    const usage = await run(swarmstream(['download']), 30_000)
    assert.equal(usage.code, 2)
    assert.match(usage.stderr, /swarmstream download/)
    const unknown = await run(swarmstream(['frobnicate']), 30_000)
    assert.equal(unknown.code, 2)
    const badMagnet = await run(swarmstream(['info', 'magnet:?xt=urn:btih:xyz']), 30_000)
    assert.equal(badMagnet.code, 1)
    const port = await run(swarmstream(['download', 'magnet:?xt=urn:btih:' + 'a'.repeat(40), '--port', '99999']), 30_000)
    assert.equal(port.code, 2)
    assert.match(port.stderr, /invalid port/)
  } finally { await dir.cleanup() }
})
