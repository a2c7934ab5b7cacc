import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SwarmStore } from '../../src/tracker/swarm-store.js'
import { TrackerRefusal, type AnnounceRequest } from '../../src/tracker/types.js'

const H = 'h'.repeat(20)
const pid = (n: number): string => `peer-${n}`.padEnd(20, '.')
const req = (n: number, over: Partial<AnnounceRequest> = {}): AnnounceRequest => ({
  kind: 'http', infoHash: H, peerId: pid(n), ip: '10.0.0.' + n, port: 6000 + n,
  uploaded: 0, downloaded: 0, left: 100, event: 'started', numwant: 50, ...over,
})
const newStore = (max = 100) => new SwarmStore<string>({ maxPeersPerSwarm: max, maxSwarms: 3 })

test('classic announces count seeders and leechers and list other peers', () => {
  const s = newStore()
  assert.deepEqual(s.announceClassic(req(1), 0).peers, [])
  s.announceClassic(req(2, { left: 0, kind: 'udp' }), 0)
  const r = s.announceClassic(req(3), 0)
  assert.equal(r.complete, 1)
  assert.equal(r.incomplete, 2)
  assert.deepEqual(r.peers.map((p) => p.port).sort(), [6001, 6002])
  assert.deepEqual([...r.peers.find((p) => p.port === 6002)!.compact], [10, 0, 0, 2, 0x17, 0x72])
  assert.deepEqual(s.counts(), { torrents: 1, seeders: 1, leechers: 2, ws: 0, http: 2, udp: 1 })
})

test('a seeder gets no seeders; completion is counted once; stopped leaves and empty swarms vanish', () => {
  const s = newStore()
  s.announceClassic(req(1, { left: 0 }), 0)
  s.announceClassic(req(2), 0)
  assert.deepEqual(s.announceClassic(req(3, { left: 0 }), 0).peers.map((p) => p.port), [6002])
  s.announceClassic(req(2, { left: 0, event: 'completed' }), 1)
  s.announceClassic(req(2, { left: 0, event: 'none' }), 2)
  assert.deepEqual(s.scrape(H), { complete: 3, incomplete: 0, downloaded: 1 })
  for (const n of [1, 2, 3]) s.announceClassic(req(n, { event: 'stopped' }), 3)
  assert.equal(s.swarms.size, 0)
  assert.deepEqual(s.counts(), { torrents: 0, seeders: 0, leechers: 0, ws: 0, http: 0, udp: 0 })
})

test('numwant bounds the list and picks are random without repeats', () => {
  const s = newStore(1000)
  for (let n = 0; n < 200; n++) s.announceClassic(req(n), 0)
  const r = s.announceClassic(req(500, { numwant: 30 }), 0)
  assert.equal(r.peers.length, 30)
  assert.equal(new Set(r.peers.map((p) => p.peerId)).size, 30)
  assert.ok(!r.peers.some((p) => p.peerId === pid(500)))
})

test('WebSocket peers count with classic ones but are kept apart, and cannot be hijacked', () => {
  const s = newStore()
  s.announceClassic(req(1), 0)
  const a = s.announceWs(req(2, { kind: 'ws', port: 0 }), 'sockA', 0)
  const b = s.announceWs(req(3, { kind: 'ws', port: 0, left: 0 }), 'sockB', 0)
  assert.ok('swarm' in a && 'swarm' in b)
  assert.deepEqual(s.scrape(H), { complete: 1, incomplete: 2, downloaded: 0 })
  // classic lists never contain WebSocket peers
  assert.deepEqual(s.announceClassic(req(4), 0).peers.map((p) => p.port), [6001])
  // offer targets are WebSocket peers other than the announcer
  assert.deepEqual(s.pickWs(a.swarm, 5, a.peer).map((p) => p.handle), ['sockB'])
  assert.throws(() => s.announceWs(req(2, { kind: 'ws' }), 'sockEvil', 0), TrackerRefusal)
  s.removeWs(H, pid(2), 'sockEvil') // wrong socket: no effect
  assert.equal(s.counts().ws, 2)
  s.removeWs(H, pid(2), 'sockA')
  assert.equal(s.counts().ws, 1)
})

test('idle peers expire; limits refuse new peers and new swarms', () => {
  const s = newStore(2)
  s.announceClassic(req(1), 1000)
  s.announceWs(req(2, { kind: 'ws' }), 'x', 5000)
  assert.throws(() => s.announceClassic(req(3), 5000), /swarm is full/)
  const expired: string[] = []
  assert.equal(s.expire(2000, 2000, (_h, p) => expired.push(p.handle)), 1)
  assert.deepEqual(s.counts().http, 0)
  assert.equal(s.expire(9000, 9000, (_h, p) => expired.push(p.handle)), 1)
  assert.deepEqual(expired, ['x'])
  for (const h of ['a', 'b', 'c']) s.announceClassic(req(1, { infoHash: h.repeat(20) }), 0)
  assert.throws(() => s.announceClassic(req(1, { infoHash: 'd'.repeat(20) }), 0), /too many torrents/)
})
