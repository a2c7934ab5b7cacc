import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Dht, DhtAnnouncer, parseDhtState } from '../../../src/discovery/dht/index.js'
import { loadDhtState, saveDhtState } from '../../../src/discovery/dht/index.node.js'
import { bep42NodeId, isBep42Valid } from '../../../src/discovery/dht/bep42.js'
import { compareDistance } from '../../../src/discovery/dht/node-id.js'
import { toHex } from '../../../src/util/bytes.js'
import { FakeClock, LOOPBACK, MemoryNetwork, memoryDht, seededRandom } from './helpers.js'

const BASE_PORT = 20000

/** `count` DHT nodes on one memory network, each bootstrapped from the first. */
async function buildNetwork(count: number, seed = 1) {
  const clock = new FakeClock()
  const net = new MemoryNetwork(clock)
  const random = seededRandom(seed)
  const nodes: Dht[] = []
  for (let i = 0; i < count; i++) {
    const dht = memoryDht(net, clock, BASE_PORT + i, { random, bootstrap: i === 0 ? [] : [{ host: LOOPBACK, port: BASE_PORT }] })
    nodes.push(dht)
    if (i > 0) await clock.settle(dht.bootstrap())
  }
  return { clock, net, nodes, random }
}

test('a simulated network of 200 nodes: lookups converge on the true k closest nodes', { timeout: 120_000 }, async () => {
  const { clock, net, nodes, random } = await buildNetwork(200)
  for (const n of nodes.slice(1)) assert.ok(n.nodeCount >= 8, `node has ${n.nodeCount} nodes`)

  const infoHash = random(20)
  const storedAt = new Set<string>()
  for (const n of nodes) n.on('announce', (h, peer) => { if (toHex(h) === toHex(infoHash)) { storedAt.add(toHex(n.nodeId)); assert.equal(peer.port, 6881) } })
  const announcer = nodes[123]!
  const result = await clock.settle(announcer.announce(infoHash, 6881))
  assert.equal(result.announced, 8)
  // brute force: the 8 ids closest to the info hash among everyone but the announcer
  const truth = nodes.filter((n) => n !== announcer).map((n) => n.nodeId)
    .sort((a, b) => compareDistance(a, b, infoHash)).slice(0, 8).map(toHex)
  assert.deepEqual([...storedAt].sort(), [...truth].sort())

  // any other node finds the announced peer; onPeers hears it first
  const heard: string[] = []
  const peers = await clock.settle(nodes[187]!.lookup(infoHash, { onPeers: (ps) => heard.push(...ps.map((p) => `${p.host}:${p.port}`)) }))
  assert.deepEqual(peers, [{ host: LOOPBACK, port: 6881 }])
  assert.deepEqual(heard, ['127.0.0.1:6881'])

  // BEP 51: a sample_infohashes walk towards the info hash collects it
  const sampled = await clock.settle(nodes[42]!.sampleInfohashes(infoHash))
  assert.ok(sampled.samples.some((s) => toHex(s) === toHex(infoHash)))

  // a lookup for nothing ends (empty) rather than hanging
  assert.deepEqual(await clock.settle(nodes[5]!.lookup(random(20))), [])

  // 16 minutes later the maintenance round refreshes stale buckets without trouble
  const before = net.sent
  const warnings: string[] = []
  nodes[9]!.on('warning', (w) => warnings.push(w))
  await clock.advance(16 * 60_000)
  assert.ok(net.sent > before)
  assert.deepEqual(warnings, [])

  assert.deepEqual([...net.destinations], [LOOPBACK], 'nothing was addressed outside 127.0.0.1')
  for (const n of nodes) n.destroy()
})

test('addNode pings a node into the table; announce_peer with implied_port stores the UDP source port (BEP 5)', { timeout: 60_000 }, async () => {
  const { clock, net, nodes, random } = await buildNetwork(20, 8)
  const infoHash = random(20)
  const loner = memoryDht(net, clock, BASE_PORT + 500)
  loner.addNode({ host: LOOPBACK, port: BASE_PORT + 3 }) // as a peer's PORT message would (BEP 5)
  await clock.advance(100)
  assert.equal(loner.nodeCount, 1)
  loner.destroy()
  const r = await clock.settle(nodes[4]!.announce(infoHash, 1, { impliedPort: true }))
  assert.ok(r.announced > 0)
  assert.deepEqual(await clock.settle(nodes[11]!.lookup(infoHash)), [{ host: LOOPBACK, port: BASE_PORT + 4 }])
  for (const n of nodes) n.destroy()
})

test('the routing table survives a restart: snapshot, reload, bootstrap without routers', { timeout: 60_000 }, async () => {
  const { clock, net, nodes } = await buildNetwork(60, 2)
  const old = nodes[30]!
  const state = JSON.parse(JSON.stringify(old))
  assert.equal(state.id, toHex(old.nodeId))
  assert.ok(state.nodes.length >= 8)
  old.destroy()
  const restored = parseDhtState(state)
  assert.ok(restored)
  // no bootstrap routers at all: only the saved nodes
  const again = memoryDht(net, clock, BASE_PORT + 30, { ...restored, bootstrap: [] })
  assert.equal(toHex(again.nodeId), state.id)
  assert.ok(await clock.settle(again.bootstrap()) >= 8)
  assert.equal(parseDhtState({ id: 'zz', nodes: [] }), undefined)
  assert.deepEqual(parseDhtState({ id: state.id, nodes: [{ id: 'x', host: '127.0.0.1', port: 1 }, { id: state.id, host: 'evil', port: 1 }, 7] })?.nodes, [])
  for (const n of [...nodes, again]) n.destroy()
})

test('read-only node (BEP 43): looks up and announces, answers nothing, joins no table', { timeout: 60_000 }, async () => {
  const { clock, net, nodes, random } = await buildNetwork(40, 3)
  const ro = memoryDht(net, clock, BASE_PORT + 999, { readOnly: true, bootstrap: [{ host: LOOPBACK, port: BASE_PORT }] })
  assert.ok(await clock.settle(ro.bootstrap()) >= 8)
  const infoHash = random(20)
  const r = await clock.settle(ro.announce(infoHash, 7000))
  assert.ok(r.announced > 0)
  assert.deepEqual(await clock.settle(nodes[7]!.lookup(infoHash)), [{ host: LOOPBACK, port: 7000 }])
  await clock.advance(20 * 60_000) // maintenance rounds: nobody pings the read-only node in
  for (const n of nodes) assert.equal(n.table.get({ host: LOOPBACK, port: BASE_PORT + 999 }), undefined)
  assert.equal(ro.stats.queriesAnswered, 0)
  for (const n of [...nodes, ro]) n.destroy()
})

// BEP 42 needs public-looking addresses: these are documentation ranges (RFC 5737) and
// exist only inside the memory network; no packet is sent anywhere.
test('BEP 42: our id follows the external IP the network reports; nodes with bad ids stay out', { timeout: 60_000 }, async () => {
  const clock = new FakeClock()
  const net = new MemoryNetwork(clock)
  const random = seededRandom(4)
  const honest = Array.from({ length: 6 }, (_, i) => {
    const host = `198.51.100.${i + 1}`
    return new Dht({ channel: net.channel(host, 6881), nodeId: bep42NodeId(host, random), now: clock.now, timers: clock, bootstrap: [], random })
  })
  const liar = new Dht({ channel: net.channel('198.51.100.99', 6881), now: clock.now, timers: clock, bootstrap: [], random })
  const me = new Dht({
    channel: net.channel('203.0.113.7', 6881), now: clock.now, timers: clock, random, bep42: true,
    bootstrap: [...honest, liar].map((d, i) => ({ host: i < honest.length ? `198.51.100.${i + 1}` : '198.51.100.99', port: 6881 })),
  })
  assert.equal(isBep42Valid(me.nodeId, '203.0.113.7'), false)
  const ids: Uint8Array[] = []
  me.on('id', (id) => ids.push(id))
  await clock.settle(me.bootstrap())
  assert.equal(me.externalIp, '203.0.113.7')
  assert.equal(ids.length, 1)
  assert.ok(isBep42Valid(me.nodeId, '203.0.113.7'))
  assert.equal(me.table.get({ host: '198.51.100.99', port: 6881 }), undefined, 'a node whose id does not match its IP')
  assert.equal(me.nodeCount, honest.length)
  // and it is not announced to
  let liarStored = 0
  liar.on('announce', () => liarStored++)
  const r = await clock.settle(me.announce(random(20), 1234))
  assert.equal(r.announced, honest.length)
  assert.equal(liarStored, 0)
  for (const d of [...honest, liar, me]) d.destroy()
})

test('DhtAnnouncer: announces at once and on schedule, walks again on update, stops cleanly', { timeout: 60_000 }, async () => {
  const { clock, nodes, random } = await buildNetwork(30, 6)
  const infoHash = random(20)
  const seederPeers: string[] = []
  // a seeder wants no peers in a hurry: a walk that finds none is not repeated soon
  const seeder = new DhtAnnouncer({ dht: nodes[3]!, infoHash, port: () => 6000, wantsPeers: () => false, onPeers: (p) => seederPeers.push(...p.map((x) => `${x.port}`)), now: clock.now, timers: clock })
  let stored = 0
  for (const n of nodes) n.on('announce', () => stored++)
  seeder.start()
  await clock.advance(5_000)
  assert.equal(stored, 8)
  const got: number[] = []
  const leecher = new DhtAnnouncer({ dht: nodes[20]!, infoHash, port: () => 6001, onPeers: (p) => got.push(...p.map((x) => x.port)), now: clock.now, timers: clock })
  leecher.start()
  await clock.advance(5_000)
  assert.deepEqual(got, [6000])
  leecher.update() // within a minute of the last walk: nothing
  await clock.advance(5_000)
  assert.equal(stored, 16)
  await clock.advance(60_000)
  leecher.update()
  await clock.advance(5_000)
  assert.equal(stored, 24)
  await clock.advance(15 * 60_000) // both re-announce on schedule
  assert.ok(stored >= 40)
  assert.deepEqual(seederPeers.sort(), ['6001'], 'its own announce is left out')
  await Promise.all([seeder.stop(), leecher.stop()])
  const after = stored
  await clock.advance(30 * 60_000)
  assert.equal(stored, after)
  for (const n of nodes) n.destroy()
})

test('saveDhtState / loadDhtState: atomic file round trip; damage reads as nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dht-state-'))
  try {
    const { nodes } = await buildNetwork(12, 7)
    const file = join(dir, 'dht.json')
    await saveDhtState(file, nodes[4]!.toJSON())
    const loaded = await loadDhtState(file)
    assert.equal(toHex(loaded!.nodeId), toHex(nodes[4]!.nodeId))
    assert.equal(loaded!.nodes.length, nodes[4]!.toJSON().nodes.length)
    assert.deepEqual(readdirSync(dir), ['dht.json'], 'no temporary file left behind')
    writeFileSync(file, '{"id": "abc"')
    assert.equal(await loadDhtState(file), undefined)
    assert.equal(await loadDhtState(join(dir, 'missing.json')), undefined)
    for (const n of nodes) n.destroy()
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test('DhtAnnouncer: a walk that finds no one is tried again soon (10 s, doubling), not in 15 minutes', { timeout: 60_000 }, async () => {
  const { clock, nodes, random } = await buildNetwork(20, 8)
  const infoHash = random(20)
  const got: number[] = []
  const leecher = new DhtAnnouncer({ dht: nodes[2]!, infoHash, port: () => 7001, onPeers: (p) => got.push(...p.map((x) => x.port)), now: clock.now, timers: clock })
  leecher.start()
  await clock.advance(5_000)
  assert.deepEqual(got, [])
  const seeder = new DhtAnnouncer({ dht: nodes[9]!, infoHash, port: () => 7000, wantsPeers: () => false, onPeers: () => undefined, now: clock.now, timers: clock })
  seeder.start()
  await clock.advance(10_000)
  assert.deepEqual(got, [7000], 'found on the retry, 10 s after the empty walk')
  await Promise.all([seeder.stop(), leecher.stop()])
  for (const n of nodes) n.destroy()
})
