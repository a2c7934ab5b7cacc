/** The cluster sync between two stores, over an in-memory link (the real links, IPC and
 * Redis, are exercised by cluster-workers and cluster-redis): mirrors, counts, a peer moving
 * between processes, origins going away, offer splitting and answer routes. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SwarmStore } from '../../src/tracker/swarm-store.js'
import { ClusterSync } from '../../src/tracker/cluster/sync.js'
import { OfferRoutes, splitOffers } from '../../src/tracker/cluster/relay.js'
import { emptyReport } from '../../src/tracker/cluster/sync.js'
import type { Batch, ClusterLink, LinkHandlers } from '../../src/tracker/cluster/messages.js'
import type { AnnounceRequest } from '../../src/tracker/types.js'

const H = 'h'.repeat(20)
const pid = (n: number): string => `peer-${n}`.padEnd(20, '.')
const req = (n: number, over: Partial<AnnounceRequest> = {}): AnnounceRequest => ({
  kind: 'http', infoHash: H, peerId: pid(n), ip: '10.0.0.' + n, port: 6000 + n,
  uploaded: 0, downloaded: 0, left: 100, event: 'started', numwant: 50, ...over,
})

/** Links that hand batches straight to the other side's handlers. */
function pair(): [ClusterLink, ClusterLink] {
  const handlers: (LinkHandlers | undefined)[] = [undefined, undefined]
  const make = (i: 0 | 1, origin: string): ClusterLink => ({
    origin, connected: true,
    async start(h) { handlers[i] = h; h.resync() },
    publish(b: Batch) { handlers[1 - i]?.batch(structuredClone(b)) },
    relay(_to, r) { handlers[1 - i]?.relay(r) },
    heartbeat(r) { handlers[1 - i]?.report(r) },
    async close() { handlers[i] = undefined },
  })
  return [make(0, 'A'), make(1, 'B')]
}

async function twoStores(now: () => number = () => 0) {
  const [la, lb] = pair()
  const mk = (link: ClusterLink) => {
    const box: { sync?: ClusterSync<string> } = {}
    const store = new SwarmStore<string>({
      maxPeersPerSwarm: 100, maxSwarms: 10,
      onChange: (h, s, p, r) => box.sync!.onChange(h, s, p, r), onMirrorHit: (h, p, st) => box.sync!.onMirrorHit(h, p, st),
    })
    const sync = new ClusterSync(store, link, { report: () => emptyReport(link.origin, now()), relay: () => undefined, warning: () => undefined }, { now })
    box.sync = sync
    return { store, sync }
  }
  const a = mk(la), b = mk(lb)
  await a.sync.start(); await b.sync.start()
  return { a, b, close: async () => { await a.sync.close(); await b.sync.close() } }
}

test('classic peers are mirrored and listed across processes; counts are summed once', async () => {
  const { a, b, close } = await twoStores()
  try {
    a.store.announceClassic(req(1, { left: 0 }), 0)
    a.store.announceWs(req(9, { kind: 'ws', port: 0 }), 'sock', 0)
    a.sync.flush()
    const r = b.store.announceClassic(req(2), 0)
    assert.deepEqual(r.peers.map((p) => p.port), [6001], 'B lists the peer announced to A')
    assert.equal(r.complete, 1); assert.equal(r.incomplete, 2, 'the WebSocket peer on A counts, listed nowhere')
    assert.equal(b.store.swarms.get(H)!.others.ws, 1)
    b.sync.flush()
    assert.deepEqual(a.store.scrape(H), { complete: 1, incomplete: 2, downloaded: 0 })
  } finally { await close() }
})

test('a peer re-announcing unchanged elsewhere stays put (touched); a change or stopped moves or removes it', async () => {
  let now = 1000
  const { a, b, close } = await twoStores(() => now)
  try {
    a.store.announceClassic(req(1), now); a.sync.flush()
    now += 5000
    const r = b.store.announceClassic(req(1), now) // same peer, new connection on B
    assert.equal(r.peers.length, 0, 'not listed to itself')
    assert.equal(b.store.counts().http, 0, 'B did not take it')
    b.sync.flush()
    assert.equal(a.store.swarms.get(H)!.classic.byId.get(pid(1))!.lastSeen, now, 'A learnt it is alive')
    assert.equal(a.store.scrape(H).incomplete, 1)
    // It turns seeder on B: B holds it now, A forgets it; counted once.
    b.store.announceClassic(req(1, { left: 0, event: 'completed' }), now); b.sync.flush(); a.sync.flush()
    assert.equal(a.store.counts().http, 0); assert.equal(b.store.counts().http, 1)
    assert.deepEqual(a.store.scrape(H), { complete: 1, incomplete: 0, downloaded: 1 })
    assert.deepEqual(b.store.scrape(H), { complete: 1, incomplete: 0, downloaded: 1 })
    // stopped said to A: B removes it, everyone forgets it.
    a.store.announceClassic(req(1, { left: 0, event: 'stopped' }), now); a.sync.flush(); b.sync.flush()
    assert.equal(b.store.counts().http, 0)
    assert.equal(a.store.swarms.size + b.store.swarms.size, 0, 'empty swarms vanish on both sides')
  } finally { await close() }
})

test('an origin that goes away is forgotten; a full state replaces what was known', async () => {
  const { a, b, close } = await twoStores()
  try {
    for (const n of [1, 2, 3]) a.store.announceClassic(req(n), 0)
    a.sync.flush()
    assert.equal(b.store.swarms.get(H)!.remote.size, 3)
    a.store.dropOrigin('nobody')
    b.store.dropOrigin('A')
    assert.equal(b.store.swarms.size, 0)
  } finally { await close() }
})

test('offers split by where the WebSocket peers are; answer routes are bounded and short-lived', () => {
  const store = new SwarmStore<string>({ maxPeersPerSwarm: 100, maxSwarms: 10 })
  const r = store.announceWs(req(1, { kind: 'ws' }), 's1', 0)
  assert.ok('swarm' in r)
  store.announceWs(req(2, { kind: 'ws' }), 's2', 0)
  store.setSummary(H, 'B', { complete: 0, incomplete: 3, downloaded: 0, ws: 3 })
  store.setSummary(H, 'C', { complete: 0, incomplete: 1, downloaded: 0, ws: 1 })
  let seq = 0
  const rand = (n: number): number => (seq++ * 7) % n
  const s = splitOffers(r.swarm, 10, true, rand)
  assert.equal(s.local + [...s.remote.values()].reduce((x, y) => x + y, 0), 5, 'never more offers than peers (1 local + 3 + 1)')
  assert.equal(s.local, 1); assert.equal(s.remote.get('B'), 3); assert.equal(s.remote.get('C'), 1)
  let now = 0
  const routes = new OfferRoutes(() => now, 2, 1000)
  routes.set('o1', 'B'); routes.set('o2', 'C'); routes.set('o3', 'B')
  assert.equal(routes.size, 2, 'bounded'); assert.equal(routes.take('o1'), undefined, 'oldest evicted')
  assert.equal(routes.take('o2'), 'C'); assert.equal(routes.take('o2'), undefined, 'taken once')
  now = 5000
  assert.equal(routes.take('o3'), undefined, 'expired')
})
