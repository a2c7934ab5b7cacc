import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import { encode, getBytes } from '../../../src/bencode/index.js'
import { decodeMessage, encodeQuery, encodeResponse } from '../../../src/discovery/dht/krpc.js'
import { encodeNodes } from '../../../src/discovery/dht/compact.js'
import { utf8 } from '../../../src/util/bytes.js'
import { bytes20, FakeClock, LOOPBACK, MemoryNetwork, memoryDht, seededRandom } from './helpers.js'
import { loopbackDht } from './udp-helpers.js'

const T = { timeout: 30_000 }
const ID = bytes20(0x11)

/** A raw UDP socket on 127.0.0.1 that collects whatever comes back. */
async function rawSocket() {
  const sock = dgram.createSocket('udp4')
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r))
  const got: Buffer[] = []
  const waiters: { n: number; resolve: () => void }[] = []
  sock.on('message', (m) => {
    got.push(m)
    for (const w of waiters.filter((x) => got.length >= x.n)) { waiters.splice(waiters.indexOf(w), 1); w.resolve() }
  })
  return {
    got,
    send: (data: Uint8Array, port: number) => sock.send(data, port, '127.0.0.1'),
    received: (n: number) => got.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
    close: () => sock.close(),
  }
}

/** Sends datagrams in small batches, each once the node has handled the one before: a
 * loopback UDP buffer drops what a flood sends faster than it is read. */
async function paced(node: Awaited<ReturnType<typeof loopbackDht>>, raw: Awaited<ReturnType<typeof rawSocket>>, packets: Uint8Array[]): Promise<void> {
  const start = node.dht.stats.received
  for (let i = 0; i < packets.length; i += 25) {
    for (const p of packets.slice(i, i + 25)) raw.send(p, node.dht.port)
    await node.handled(start + Math.min(packets.length, i + 25))
  }
}
const notQueries = (got: Buffer[]) => got.map((m) => decodeMessage(m)).filter((m) => m && m.y !== 'q')

test('garbage and oversized datagrams are dropped; the node keeps answering', T, async () => {
  const node = await loopbackDht()
  const raw = await rawSocket()
  try {
    const junk = ['d', 'de', 'd1:t', 'd1:y1:qe', 'd1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe', 'd' + 'l'.repeat(5000), 'd1:ti1ee',
      'd1:rd2:id20:mnopqrstuvwxyz123456e1:t2:zz1:y1:re', // a response nobody asked for
      'd1:eli201e3:bade1:t2:zz1:y1:ee', 'd1:q4:ping1:t2:aa1:y1:q1:ali1eee', 'd999999999:x']
    const packets = junk.map(utf8)
    let seed = 1
    for (let i = 0; i < 300; i++) {
      const buf = new Uint8Array(1 + (i % 300))
      for (let k = 0; k < buf.length; k++) { seed = (seed * 1103515245 + 12345) >>> 0; buf[k] = seed >>> 24 }
      buf[0] = 0x64 // 'd': past the mux, into the KRPC decoder
      packets.push(buf)
    }
    // a ping padded past the size limit (2048 bytes) is dropped unread
    packets.push(encodeQuery(utf8('big'), 'ping', { id: ID, pad: new Uint8Array(3000) }))
    packets.push(encodeQuery(utf8('ok'), 'ping', { id: ID }))
    await paced(node, raw, packets)
    while (notQueries(raw.got).length < 1) await raw.received(raw.got.length + 1)
    const answers = notQueries(raw.got)
    assert.equal(answers.length, 1)
    assert.equal(Buffer.from(answers[0]!.t).toString(), 'ok')
    assert.equal(node.dht.stats.oversized, 2) // the padded ping and the 5001-byte list
    assert.ok(node.dht.stats.malformed >= 300)
    assert.ok(node.dht.stats.unmatched >= 2)
  } finally { raw.close(); await node.close() }
})

test('announce_peer with a bad token is refused with error 203; with the token from get_peers it is stored', T, async () => {
  const node = await loopbackDht()
  const raw = await rawSocket()
  const infoHash = bytes20(0x42)
  try {
    raw.send(encodeQuery(utf8('a1'), 'announce_peer', { id: ID, info_hash: infoHash, port: 7777, token: utf8('forged!!') }), node.dht.port)
    raw.send(encodeQuery(utf8('a2'), 'announce_peer', { id: ID, info_hash: infoHash, port: 7777 }), node.dht.port)
    while (notQueries(raw.got).length < 2) await raw.received(raw.got.length + 1)
    for (const m of notQueries(raw.got)) assert.ok(m?.y === 'e' && m.code === 203, JSON.stringify(m))
    assert.equal(node.dht.storedPeers.peers, 0)
    raw.send(encodeQuery(utf8('g1'), 'get_peers', { id: ID, info_hash: infoHash }), node.dht.port)
    while (notQueries(raw.got).length < 3) await raw.received(raw.got.length + 1)
    const reply = notQueries(raw.got)[2]
    assert.ok(reply?.y === 'r')
    const token = getBytes(reply.r, 'token')!
    raw.send(encodeQuery(utf8('a3'), 'announce_peer', { id: ID, info_hash: infoHash, port: 7777, token }), node.dht.port)
    while (notQueries(raw.got).length < 4) await raw.received(raw.got.length + 1)
    assert.equal(notQueries(raw.got)[3]?.y, 'r')
    assert.deepEqual(await node.dht.lookup(infoHash), [{ host: '127.0.0.1', port: 7777 }])
    assert.equal(node.dht.stats.announcesRefused, 2)
  } finally { raw.close(); await node.close() }
})

test('a query flood from one address is rate-limited', T, async () => {
  const node = await loopbackDht({ limits: { queriesPerSecondPerIp: 20, queryBurstPerIp: 30 } })
  const raw = await rawSocket()
  try {
    const N = 1000
    const started = performance.now()
    await paced(node, raw, Array.from({ length: N }, (_, i) => encodeQuery(Uint8Array.of(i >> 8, i & 0xff), 'ping', { id: ID })))
    const seconds = (performance.now() - started) / 1000
    const { queriesAnswered, rateLimited } = node.dht.stats
    assert.equal(queriesAnswered + rateLimited, N)
    // the burst plus what refilled (20/s) while the flood was read, however long that took
    assert.ok(queriesAnswered >= 30 && queriesAnswered <= 30 + Math.ceil(20 * seconds) + 1, `answered ${queriesAnswered} in ${seconds} s`)
    while (notQueries(raw.got).length < queriesAnswered) await raw.received(raw.got.length + 1)
    assert.equal(node.dht.load.rateLimitedIps, 1)
  } finally { raw.close(); await node.close() }
})

test('a node answering every query with 1,000 fake nodes: bounded, and the lookup still succeeds', T, async () => {
  const clock = new FakeClock()
  const net = new MemoryNetwork(clock)
  const random = seededRandom(9)
  const honest = []
  for (let i = 0; i < 40; i++) {
    const d = memoryDht(net, clock, 30000 + i, { random, bootstrap: i ? [{ host: LOOPBACK, port: 30000 }] : [] })
    if (i) await clock.settle(d.bootstrap())
    honest.push(d)
  }
  const infoHash = random(20)
  await clock.settle(honest[5]!.announce(infoHash, 6000))
  // the liar claims an id next to the target and lists 1,000 "closer" nodes that do not exist
  const liarId = infoHash.slice(); liarId[19] = liarId[19]! ^ 0xff
  const liar = net.raw(LOOPBACK, 31000)
  let liarAnswers = 0
  liar.onMessage((data, from) => {
    const q = decodeMessage(data)
    if (q?.y !== 'q') return
    liarAnswers++
    const fakes = Array.from({ length: 1000 }, (_, i) => {
      const id = infoHash.slice(); id[18] = (i >> 8) & 0xff; id[19] = i & 0xff
      return { id, host: LOOPBACK, port: 40000 + i }
    })
    liar.send(encodeResponse(q.t, { id: liarId, nodes: encodeNodes(fakes), token: utf8('tok') }, from), from)
  })
  for (const maxMessageBytes of [2048, 65536]) { // the default drops the 26 kB answer; a large limit lets it in
    const me = memoryDht(net, clock, 32000 + maxMessageBytes % 1000, {
      random, limits: { maxMessageBytes }, bootstrap: [{ host: LOOPBACK, port: 31000 }, { host: LOOPBACK, port: 30000 }],
    })
    await clock.settle(me.bootstrap())
    const peers = await clock.settle(me.lookup(infoHash), 120_000)
    assert.deepEqual(peers, [{ host: LOOPBACK, port: 6000 }])
    for (const n of me.table.nodes()) assert.ok(n.port < 40000, 'no fake node entered the table')
    if (maxMessageBytes === 2048) assert.ok(me.stats.oversized > 0)
    assert.ok(me.load.outstanding === 0 && me.load.lookups === 0)
    me.destroy()
  }
  assert.ok(liarAnswers > 0)
  for (const d of honest) d.destroy()
})

test('memory stays bounded under floods of announces, new nodes and new addresses', T, async () => {
  const clock = new FakeClock()
  const net = new MemoryNetwork(clock, 1)
  const node = memoryDht(net, clock, 33000, {
    limits: { maxTorrents: 100, maxPeers: 500, maxPeersPerTorrent: 20, maxRateLimitedIps: 1000, queriesPerSecondPerIp: 100_000, queryBurstPerIp: 100_000 },
  })
  const raw = net.raw(LOOPBACK, 33001)
  raw.send(encodeQuery(utf8('g'), 'get_peers', { id: ID, info_hash: bytes20(1) }), { host: LOOPBACK, port: 33000 })
  await clock.advance(10)
  const token = getBytes((decodeMessage(raw.received[0]!.data) as unknown as { r: Map<string, never> }).r, 'token')!
  const random = seededRandom(5)
  for (let i = 0; i < 5000; i++) {
    raw.send(encodeQuery(utf8(`a${i}`), 'announce_peer', { id: ID, info_hash: random(20), port: 1 + (i % 60000), token }), { host: LOOPBACK, port: 33000 })
    if (i % 500 === 0) await clock.advance(1)
  }
  await clock.advance(100)
  assert.ok(node.load.torrents <= 100 && node.load.storedPeers <= 500, JSON.stringify(node.load))
  assert.equal(node.stats.announcesStored, 5000)
  // thousands of unknown nodes querying us (each would be pinged before joining): bounded
  for (let i = 0; i < 3000; i++) {
    const ch = net.channel(LOOPBACK, 50000 + i)
    ch.send(encodeQuery(utf8('f'), 'find_node', { id: random(20), target: random(20) }), { host: LOOPBACK, port: 33000 })
  }
  await clock.advance(2)
  assert.ok(node.load.verifying <= 64 && node.load.outstanding <= 64, JSON.stringify(node.load))
  await clock.advance(10_000)
  assert.ok(node.nodeCount <= 160 * 8)
  // queries from 5,000 source addresses (all in 127/8): the limiter's map stays bounded
  for (let i = 0; i < 5000; i++) {
    const ch = net.channel(`127.1.${i >> 8}.${i & 0xff}`, 6881)
    ch.send(encodeQuery(utf8('p'), 'ping', { id: random(20) }), { host: LOOPBACK, port: 33000 })
  }
  await clock.advance(10_000)
  assert.ok(node.load.rateLimitedIps <= 1000, JSON.stringify(node.load))
  assert.equal(encode(new Map()).length, 2)
  node.destroy()
})
