import { test } from 'node:test'
import assert from 'node:assert/strict'
import { commonPrefixBits, compareDistance, randomIdInBucket } from '../../../src/discovery/dht/node-id.js'
import { RoutingTable, QUESTIONABLE_AFTER_MS } from '../../../src/discovery/dht/routing-table.js'
import { TokenManager, TOKEN_ROTATE_MS } from '../../../src/discovery/dht/tokens.js'
import { PeerStore } from '../../../src/discovery/dht/peer-store.js'
import { IpRateLimiter } from '../../../src/discovery/dht/rate-limit.js'
import { isBep42Valid } from '../../../src/discovery/dht/bep42.js'
import { bytes20, seededRandom } from './helpers.js'

const rnd = seededRandom(42)
const contact = (id: Uint8Array, port: number, host = '127.0.0.1') => ({ id, host, port })
/** an id sharing exactly `bits` leading bits with `self` */
const idAt = (self: Uint8Array, bits: number) => randomIdInBucket(self, bits, true, rnd)

test('XOR metric: distance order and shared prefix length', () => {
  const t = bytes20(0)
  const near = bytes20(0); near[19] = 1
  const far = bytes20(0); far[0] = 0x80
  assert.ok(compareDistance(near, far, t) < 0)
  assert.ok(compareDistance(far, near, t) > 0)
  assert.equal(compareDistance(near, near, t), 0)
  assert.equal(commonPrefixBits(t, far), 0)
  assert.equal(commonPrefixBits(t, near), 159)
  assert.equal(commonPrefixBits(t, t), 160)
  const self = rnd(20)
  for (const bits of [0, 1, 7, 8, 9, 63, 100, 158, 159]) {
    assert.equal(commonPrefixBits(self, randomIdInBucket(self, bits, true, rnd)), bits)
    assert.ok(commonPrefixBits(self, randomIdInBucket(self, bits, false, rnd)) >= bits)
  }
})

test('buckets hold k nodes; only the bucket holding our id splits (BEP 5)', () => {
  let now = 0
  const self = rnd(20)
  const table = new RoutingTable({ selfId: self, now: () => now })
  let port = 1000
  // 20 nodes far from us (first bit differs): one bucket of 8, the rest wait as replacements
  for (let i = 0; i < 20; i++) table.responded(contact(idAt(self, 0), port++))
  assert.equal(table.closest(self, 100).filter((n) => commonPrefixBits(self, n.id) === 0).length, 8)
  // nodes ever closer split the bucket that holds our id, never the far one
  for (let bits = 1; bits < 30; bits++) for (let i = 0; i < 3; i++) table.responded(contact(idAt(self, bits), port++))
  assert.equal(table.size, 8 + 29 * 3)
  assert.ok(table.bucketCount >= 28)
  for (const n of table.nodes()) assert.ok(commonPrefixBits(self, n.id) < 30)
  // lots of random nodes: no bucket ever holds more than 8
  for (let i = 0; i < 3000; i++) table.responded(contact(rnd(20), port++))
  const perBucket = new Map<number, number>()
  for (const n of table.nodes()) {
    const b = Math.min(commonPrefixBits(self, n.id), table.bucketCount - 1)
    perBucket.set(b, (perBucket.get(b) ?? 0) + 1)
  }
  for (const c of perBucket.values()) assert.ok(c <= 8)
  // closest() is sorted by XOR distance
  const target = rnd(20)
  const c = table.closest(target, 8)
  assert.equal(c.length, 8)
  for (let i = 1; i < c.length; i++) assert.ok(compareDistance(c[i - 1]!.id, c[i]!.id, target) < 0)
  now += 1
})

test('a full bucket: questionable nodes are pinged, bad ones replaced from the replacement cache', () => {
  let now = 0
  const self = bytes20(0)
  const table = new RoutingTable({ selfId: self, now: () => now })
  const far = Array.from({ length: 8 }, (_, i) => contact(idAt(self, 0), 2000 + i))
  // fill bucket 0 (the table first splits, so bucket 0 is the far half)
  table.responded(contact(idAt(self, 5), 1999))
  for (const c of far) assert.equal(table.responded(c).kind, 'added')
  const newcomer = contact(idAt(self, 0), 3000)
  // all good: the newcomer waits in the cache and nobody needs a ping
  assert.deepEqual(table.responded(newcomer), { kind: 'cached' })
  // 15 minutes on, the bucket's nodes are questionable: the least recently seen is pinged
  now += QUESTIONABLE_AFTER_MS + 1
  const later = table.responded(newcomer)
  assert.equal(later.kind, 'cached')
  assert.ok(later.kind === 'cached' && later.ping && later.ping.port === 2000)
  // it fails twice (BEP 5: try once more): it goes bad and the newcomer takes its place
  table.failed(far[0]!)
  assert.ok(table.get(far[0]!))
  table.failed(far[0]!)
  assert.equal(table.get(far[0]!), undefined)
  assert.ok(table.get(newcomer))
  assert.equal(table.status(table.get(newcomer)!), 'good')
})

test('node liveness: good, questionable after 15 min, good again after a query, bad after failures', () => {
  let now = 0
  const table = new RoutingTable({ selfId: bytes20(0), now: () => now })
  const c = contact(bytes20(9), 4000)
  table.responded(c)
  const n = table.get(c)!
  assert.equal(table.status(n), 'good')
  now += QUESTIONABLE_AFTER_MS
  assert.equal(table.status(n), 'questionable')
  assert.equal(table.queried(c), 'known')
  assert.equal(table.status(n), 'good', 'answered once and queried us within 15 min')
  table.failed(c)
  assert.equal(table.status(n), 'questionable')
  table.failed(c)
  assert.equal(table.status(n), 'bad')
  assert.equal(table.closest(bytes20(9), 8).length, 0, 'bad nodes are never handed out')
  table.responded(c)
  assert.equal(table.status(n), 'good')
})

test('one id at two addresses keeps the trusted one; a restarted node replaces its old entry', () => {
  const now = 0
  const table = new RoutingTable({ selfId: bytes20(0), now: () => now })
  table.responded(contact(bytes20(7), 5000))
  assert.equal(table.responded(contact(bytes20(7), 5001)).kind, 'rejected')
  assert.equal(table.responded(contact(bytes20(8), 5000)).kind, 'added', 'same address, new id')
  assert.equal(table.size, 1)
  assert.equal(table.responded(contact(bytes20(0), 5002)).kind, 'rejected', 'our own id')
})

test('per-IP limit for public addresses, BEP 42 admission, loopback exempt', () => {
  const table = new RoutingTable({ selfId: bytes20(0), now: () => 0, admit: (c) => isBep42Valid(c.id, c.host) })
  assert.equal(table.responded(contact(rnd(20), 1, '8.8.8.8')).kind, 'rejected', 'id does not match the IP')
  const valid = Uint8Array.from(Buffer.from('5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401', 'hex'))
  assert.equal(table.responded(contact(valid, 1, '124.31.75.21')).kind, 'added')
  const valid2 = valid.slice(); valid2[10] = valid2[10]! ^ 1
  assert.equal(table.responded(contact(valid2, 2, '124.31.75.21')).kind, 'rejected', 'one node per public IP')
  for (let i = 0; i < 5; i++) assert.equal(table.responded(contact(rnd(20), 100 + i)).kind, 'added', 'loopback is exempt')
})

test('stale buckets are refreshed with a random target inside them', () => {
  let now = 0
  const self = rnd(20)
  const table = new RoutingTable({ selfId: self, now: () => now })
  for (let i = 0; i < 40; i++) table.responded(contact(rnd(20), 6000 + i))
  assert.equal(table.staleBuckets(QUESTIONABLE_AFTER_MS, rnd).length, 0)
  now += QUESTIONABLE_AFTER_MS
  const stale = table.staleBuckets(QUESTIONABLE_AFTER_MS, rnd)
  assert.equal(stale.length, table.bucketCount)
  stale.forEach((s, i) => {
    const bits = commonPrefixBits(self, s.target)
    assert.ok(i === stale.length - 1 ? bits >= i : bits === i)
    assert.ok(s.ping, 'each bucket has a questionable node to ping')
  })
  assert.equal(table.staleBuckets(QUESTIONABLE_AFTER_MS, rnd).length, 0, 'refreshed buckets count as changed')
})

test('tokens: bound to the IP, valid 5 to 10 minutes across one secret rotation', () => {
  let now = 0
  const tokens = new TokenManager(() => now, rnd)
  const t = tokens.token('127.0.0.1')
  assert.ok(tokens.check(t, '127.0.0.1'))
  assert.equal(tokens.check(t, '127.0.0.2'), false)
  assert.equal(tokens.check(undefined, '127.0.0.1'), false)
  assert.equal(tokens.check(new Uint8Array(8), '127.0.0.1'), false)
  now += TOKEN_ROTATE_MS - 1
  assert.ok(tokens.check(t, '127.0.0.1'))
  now += 1 // rotated once: the previous secret still counts
  assert.ok(tokens.check(t, '127.0.0.1'))
  const t2 = tokens.token('127.0.0.1')
  assert.notDeepEqual(t2, t)
  now += TOKEN_ROTATE_MS // rotated twice: the first token is gone, the second still good
  assert.equal(tokens.check(t, '127.0.0.1'), false)
  assert.ok(tokens.check(t2, '127.0.0.1'))
  now += 3 * TOKEN_ROTATE_MS
  assert.equal(tokens.check(t2, '127.0.0.1'), false)
})

test('peer store: bounded per torrent, in torrents and in total; peers expire', () => {
  let now = 0
  const store = new PeerStore({ maxPeersPerTorrent: 3, maxTorrents: 2, maxPeers: 5, peerTtlMs: 1000 }, () => now)
  const h = (n: number) => bytes20(n)
  for (let p = 1; p <= 5; p++) store.add(h(1), { host: '127.0.0.1', port: p })
  assert.deepEqual(store.get(h(1), 10).map((p) => p.port), [3, 4, 5], 'the oldest go first')
  store.add(h(1), { host: '127.0.0.1', port: 4 }) // re-announce refreshes, no duplicate
  assert.equal(store.peerCount, 3)
  store.add(h(2), { host: '127.0.0.1', port: 9 })
  store.add(h(3), { host: '127.0.0.1', port: 9 })
  assert.equal(store.torrentCount, 2, 'the least recently announced torrent went')
  for (let p = 10; p < 20; p++) store.add(h(3), { host: '127.0.0.1', port: p })
  assert.ok(store.peerCount <= 5)
  assert.equal(store.get(h(3), 2).length, 2, 'a sample when asked for fewer')
  const s = store.sampleInfoHashes(20)
  assert.equal(s.num, store.torrentCount)
  now += 1000
  assert.deepEqual(store.get(h(3), 10), [], 'expired')
  store.sweep()
  assert.equal(store.peerCount, 0)
  assert.equal(store.torrentCount, 0)
})

test('per-IP rate limiter: burst, refill, bounded map', () => {
  const lim = new IpRateLimiter(10, 5, 3)
  let allowed = 0
  for (let i = 0; i < 20; i++) if (lim.allow('a', 0)) allowed++
  assert.equal(allowed, 5)
  assert.ok(lim.allow('a', 100), 'one token back after 100 ms at 10/s')
  for (const ip of ['b', 'c', 'd', 'e']) lim.allow(ip, 0)
  assert.equal(lim.size, 3)
  lim.sweep(10_000)
  assert.equal(lim.size, 0)
})
