/** A script written for webtorrent runs unchanged against swarmstream: the same file, run
 * once with the `webtorrent` package and once with `webtorrent` resolved to swarmstream,
 * prints the same results (and the right bytes). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { fileDigest, startTracker, tempDir, writeRandomFile } from '../integration/fixtures.js'
import { run, start, ROOT } from '../peers/process.js'

const SCRIPT = join(ROOT, 'test/compat/webtorrent-script.mjs')

test('the same webtorrent script gives the same results with webtorrent and with swarmstream', { timeout: 120_000 }, async () => {
  const dir = await tempDir()
  const tracker = await startTracker()
  try {
    const file = join(dir.path, 'seed', 'clip.bin')
    await writeRandomFile(file, 700_000)
    const runs = []
    for (const [name, loader] of [['webtorrent', []], ['swarmstream', ['--import', import.meta.resolve('tsx'), '--import', join(ROOT, 'test/compat/as-swarmstream.mjs')]]] as const) {
      const r = await run(start(process.execPath, [...loader, SCRIPT, file, join(dir.path, name), tracker.http]), 90_000)
      assert.equal(r.code, 0, `${name}: ${r.stderr.slice(-2000)}`)
      runs.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>)
      assert.equal(await fileDigest(join(dir.path, name, 'clip.bin')), await fileDigest(file), `${name} wrote the file`)
    }
    const [wt, ours] = runs
    assert.deepEqual(ours, wt)
    assert.equal(wt!.sha256, await fileDigest(file))
    assert.deepEqual(wt!.files, [['clip.bin', 700_000]])
  } finally {
    await tracker.close()
    await dir.cleanup()
  }
})
