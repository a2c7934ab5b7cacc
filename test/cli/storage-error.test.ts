/** A storage failure ends the download with a clear message and exit code 1; nothing crashes. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { swarmstream, run } from '../peers/process.js'
import { freePort, tempDir, writeRandomFile } from '../integration/fixtures.js'

test('a file that cannot be written (a folder is in its place): exit 1 and the cause', { timeout: 90_000 }, async () => {
  const dir = await tempDir()
  try {
    const file = join(dir.path, 'seed', 'f.bin')
    await writeRandomFile(file, 1_000_000)
    const torrent = join(dir.path, 'f.torrent')
    const port = await freePort()
    const seeder = swarmstream(['seed', file, '--torrent-port', String(port), '--host', '127.0.0.1', '--no-trackers', '--save-torrent', torrent])
    try {
      await seeder.waitFor(/^READY/)
      await mkdir(join(dir.path, 'out', 'f.bin'), { recursive: true }) // where the file goes
      const r = await run(swarmstream(['download', torrent, '-o', join(dir.path, 'out'), '--peer', `127.0.0.1:${port}`,
        '--host', '127.0.0.1', '--no-trackers', '--quiet', '--timeout', '30']), 60_000)
      assert.equal(r.code, 1, r.stdout)
      assert.match(r.stderr, /EISDIR|is a directory/)
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'a message, not a stack trace')
    } finally { await seeder.stop() }
  } finally { await dir.cleanup() }
})
