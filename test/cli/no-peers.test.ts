/** A download with no peers says why, live and when it gives up (issue 10: a trackerless
 * magnet used to sit at 0 % with no word). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { swarmstream, run } from '../peers/process.js'
import { freePort } from '../integration/fixtures.js'

test('no peers: the progress line and the timeout name what each source said', { timeout: 60_000 }, async () => {
  const dead = await freePort()
  const magnet = `magnet:?xt=urn:btih:${'c'.repeat(40)}&tr=${encodeURIComponent(`http://127.0.0.1:${dead}/announce`)}`
  const r = await run(swarmstream(['download', magnet, '--timeout', '8', '--host', '127.0.0.1']), 40_000)
  assert.equal(r.code, 1)
  assert.match(r.stderr, /peers 0 .*no peers: tracker 127\.0\.0\.1:\d+ failed \([^)]*\); DHT off; no address found yet/)
  assert.match(r.stderr, /error: timed out after 8 s before the download finished \(no peers: tracker 127\.0\.0\.1:\d+ failed/)
  const j = await run(swarmstream(['download', magnet, '--timeout', '3', '--json', '--host', '127.0.0.1']), 40_000)
  const line = JSON.parse(j.stdout.trim().split('\n').at(-1)!) as { error: string; discovery: { peers: number; trackers: { state: string }[]; dhtNodes: null } }
  assert.equal(line.error, 'timeout')
  assert.equal(line.discovery.peers, 0)
  assert.equal(line.discovery.dhtNodes, null)
  assert.ok(line.discovery.trackers.length === 1)
})
