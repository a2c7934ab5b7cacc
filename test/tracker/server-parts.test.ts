import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectionIds } from '../../src/tracker/connection-id.node.js'
import { RateLimiter } from '../../src/tracker/rate-limiter.js'
import { escapeHtml, clientName, renderStatsHtml, RateMeter } from '../../src/tracker/stats.js'

// The wire codecs are tested in test/tracker-protocol; these are the server's own parts.

test('UDP connection ids: bound to address, port and time; forged or stale ids fail', () => {
  let now = 1_000_000
  const ids = new ConnectionIds({ now: () => now, windowMs: 60_000 })
  const id = ids.issue('1.2.3.4', 5000)
  assert.ok(ids.verify(id, '1.2.3.4', 5000))
  assert.ok(!ids.verify(id, '1.2.3.5', 5000))
  assert.ok(!ids.verify(id, '1.2.3.4', 5001))
  assert.ok(!ids.verify(new Uint8Array(8), '1.2.3.4', 5000))
  assert.ok(!ids.verify(id.subarray(0, 4), '1.2.3.4', 5000))
  now += 60_000
  assert.ok(ids.verify(id, '1.2.3.4', 5000), 'still valid in the next window')
  now += 60_000
  assert.ok(!ids.verify(id, '1.2.3.4', 5000), 'expired after two windows')
  assert.ok(!new ConnectionIds({ now: () => now }).verify(ids.issue('1.2.3.4', 5000), '1.2.3.4', 5000), 'another key')
})

test('rate limiter: burst, refill, bounded keys', () => {
  const rl = new RateLimiter({ rate: 10, burst: 3, maxKeys: 2 })
  assert.deepEqual([1, 2, 3, 4].map(() => rl.allow('a', 0)), [true, true, true, false])
  assert.equal(rl.allow('a', 100), true, 'one token after 100 ms at 10/s')
  assert.equal(rl.allow('a', 100), false)
  rl.allow('b', 0); rl.allow('c', 0)
  assert.equal(rl.size, 2)
  rl.sweep(10_000)
  assert.equal(rl.size, 0)
  assert.ok(new RateLimiter({ rate: 0, burst: 1 }).allow('x', 0))
})

test('stats: names escaped; rate meter averages', () => {
  assert.equal(escapeHtml(`<img src=x onerror="a">&'`), '&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;')
  assert.equal(clientName('-<b>1-' + 'x'.repeat(14)), '<b>1')
  const html = renderStatsHtml({ torrents: 1, seeders: 0, leechers: 1, ws: 0, http: 1, udp: 0, sockets: 0,
    announcesPerSecond: { http: 1, udp: 0, ws: 0, total: 1 }, clients: [{ name: '<script>', peers: 1 }],
    memory: { rss: 1, heapUsed: 1, external: 1 }, uptimeSeconds: 1, processes: 1,
    totals: { http: 0, udp: 0, ws: 0, rejected: 0, relaysLocal: 0, relaysOut: 0, relaysIn: 0 } })
  assert.ok(html.includes('&lt;script&gt;') && !html.includes('<script>'))
  let t = 0
  const m = new RateMeter(() => t)
  for (t = 0; t < 10_000; t += 100) m.mark()
  assert.ok(Math.abs(m.perSecond() - 10) < 0.01, String(m.perSecond()))
  t += 60_000
  assert.equal(m.perSecond(), 0)
})
