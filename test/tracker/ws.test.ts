import { test } from 'node:test'
import assert from 'node:assert/strict'
import WebSocket from 'ws'
import { decode, isDict, getBytes } from '../../src/bencode/index.js'
import { startTracker, WsClient, httpGet, pct, until, delay } from './helpers.js'

const IH = 'W'.repeat(19) + '\xe9'
const IH2 = 'V'.repeat(20)
const pid = (c: string) => c.repeat(20)
const offer = (id: string, sdp = 'v=0 offer') => ({ offer_id: id.repeat(20), offer: { type: 'offer', sdp } })
const announce = (peer: string, extra: Record<string, unknown> = {}, ih = IH) =>
  ({ action: 'announce', info_hash: ih, peer_id: pid(peer), uploaded: 0, downloaded: 0, left: 10, numwant: 5, ...extra })

test('WebSocket announce, offer relay to WebSocket peers only, answer relay by to_peer_id, scrape', async () => {
  const { server, ports } = await startTracker({ udp: false })
  const url = `ws://127.0.0.1:${ports.ws}`
  const [a, b, c] = await Promise.all([WsClient.open(url), WsClient.open(url), WsClient.open(url)])
  try {
    a.send(announce('a', { event: 'started' }))
    const ra = (await a.next())!
    assert.deepEqual(ra, { action: 'announce', interval: 120, info_hash: IH, complete: 0, incomplete: 1 })
    b.send(announce('b', { left: 0 }))
    assert.equal((await b.next())!.complete, 1)
    // A HTTP peer in the same swarm: counted, but never sent offers.
    const httpAnn = await httpGet(`http://127.0.0.1:${ports.http}/announce?info_hash=${pct(IH)}&peer_id=${pct(pid('h'))}&port=7000&left=5`)
    const hd = decode(httpAnn.body)
    assert.ok(isDict(hd))
    assert.equal(getBytes(hd, 'peers')!.length, 0, 'WebSocket peers are not listed to HTTP clients')

    c.send(announce('c', { offers: [offer('1'), offer('2'), offer('3')] }))
    const rc = (await c.next())!
    assert.equal(rc.complete, 1); assert.equal(rc.incomplete, 3)
    const got = [(await a.next())!, (await b.next())!]
    const ids = got.map((m) => m.offer_id).sort()
    assert.equal(new Set(ids).size, 2, 'each target gets a different offer')
    for (const m of got) {
      assert.equal(m.action, 'announce'); assert.equal(m.peer_id, pid('c')); assert.equal(m.info_hash, IH)
      assert.equal((m.offer as { type: string }).type, 'offer')
    }
    // a answers c's offer
    const toA = got[0]! // the offer a received
    a.send({ action: 'announce', info_hash: IH, peer_id: pid('a'), to_peer_id: pid('c'), offer_id: toA.offer_id, answer: { type: 'answer', sdp: 'v=0 answer' } })
    const ans = (await c.next())!
    assert.deepEqual(ans, { action: 'announce', info_hash: IH, peer_id: pid('a'), offer_id: toA.offer_id, answer: { type: 'answer', sdp: 'v=0 answer' } })
    assert.equal(await a.next(200), undefined, 'the answerer gets no reply')

    c.send({ action: 'scrape', info_hash: [IH, IH2] })
    const sc = (await c.next())!
    assert.deepEqual(sc, { action: 'scrape', files: { [IH]: { complete: 1, incomplete: 3, downloaded: 0 }, [IH2]: { complete: 0, incomplete: 0, downloaded: 0 } } })
    const st = server.stats()
    assert.equal(st.ws, 3); assert.equal(st.http, 1); assert.equal(st.sockets, 3)

    // A socket that closes leaves every swarm it joined.
    a.send(announce('a', {}, IH2))
    await a.next()
    a.close()
    assert.ok(await until(() => server.stats().ws === 2 && server.stats().torrents === 1), 'a left both swarms')
  } finally { a.close(); b.close(); c.close(); await server.close() }
})

test('WebSocket bad input: failure reason for each, other swarms unaffected', async () => {
  const { server, ports } = await startTracker({ udp: false })
  const url = `ws://127.0.0.1:${ports.ws}`
  const good = await WsClient.open(url), bad = await WsClient.open(url)
  try {
    good.send(announce('g'))
    await good.next()
    const cases: [unknown, RegExp][] = [
      ['{not json', /invalid JSON/],
      ['"a string"', /JSON object/],
      [{ action: 'dance' }, /unknown action/],
      [{ ...announce('x'), info_hash: 'short' }, /info_hash/],
      [{ ...announce('x'), peer_id: 'p'.repeat(21) }, /peer_id/],
      [{ ...announce('x'), offers: [{ offer_id: 'o'.repeat(19), offer: { type: 'offer', sdp: '' } }] }, /offer_id/],
      [{ action: 'announce', info_hash: IH, peer_id: pid('x'), to_peer_id: pid('g'), offer_id: 'o'.repeat(20), answer: { type: 'answer', sdp: '' } }, /announce to this torrent/],
      [{ ...announce('g') }, /peer_id is in use/],
    ]
    for (const [msg, re] of cases) {
      bad.send(typeof msg === 'string' ? msg : msg as Record<string, unknown>)
      const r = (await bad.next())!
      assert.match(String(r['failure reason']), re, JSON.stringify(msg))
    }
    bad.ws.send(Buffer.from('{"action":"announce"}'), { binary: true })
    assert.match(String((await bad.next())!['failure reason']), /binary/)
    // The good peer's swarm is intact and it got nothing from the attacker.
    assert.equal(good.pending, 0)
    const st = server.stats()
    assert.equal(st.ws, 1); assert.equal(st.torrents, 1)
    good.send(announce('g'))
    assert.equal((await good.next())!.incomplete, 1)
  } finally { good.close(); bad.close(); await server.close() }
})

test('WebSocket: oversized frames close the socket (1009); floods are rate limited then closed (1008)', async () => {
  const { server, ports } = await startTracker({ udp: false, limits: { maxFrameBytes: 4096, messagesPerSecondPerSocket: 5, messageBurstPerSocket: 10 } })
  const url = `ws://127.0.0.1:${ports.ws}`
  try {
    const big = await WsClient.open(url)
    big.send(announce('b', { offers: [offer('o', 'x'.repeat(5000))] }))
    assert.equal(await big.closed, 1009)

    const flood = await WsClient.open(url)
    for (let i = 0; i < 60; i++) flood.send(announce('f', { offers: [offer('x')] }))
    assert.equal(await flood.closed, 1008)
    const replies: unknown[] = []
    for (let m = await flood.next(100); m; m = await flood.next(100)) replies.push(m['failure reason'] ?? 'ok')
    assert.ok(replies.slice(0, 10).every((r) => r === 'ok'), 'the burst is served')
    assert.ok(replies.some((r) => /rate limited/.test(String(r))), 'then refused')
    assert.ok(await until(() => server.stats().ws === 0), 'the closed flooder left the swarm')
    const fresh = await WsClient.open(url)
    fresh.send(announce('z'))
    assert.equal((await fresh.next())!.incomplete, 1, 'the tracker still serves others')
    fresh.close()
  } finally { await server.close() }
})

test('WebSocket: connections per address are limited; idle peers and sockets are swept', async () => {
  let now = 1_000_000
  const { server, ports } = await startTracker({ udp: false, now: () => now, limits: { maxSocketsPerAddress: 2 } })
  const url = `ws://127.0.0.1:${ports.ws}`
  try {
    const a = await WsClient.open(url), b = await WsClient.open(url)
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(url)
      ws.on('error', (e) => resolve(e.message))
      ws.on('open', () => resolve('opened'))
    })
    assert.match(refused, /429/)
    a.send(announce('a')); await a.next()
    b.send(announce('b')); await b.next()
    now += 100_000
    b.send(announce('b')); await b.next()
    now += 250_000 // a silent for 350 s > 2 × 120 s + 60 s; b for 250 s
    server.sweep()
    assert.equal(await a.closed, 1006)
    assert.equal(server.stats().ws, 1)
    assert.equal(server.stats().sockets, 1)
    await delay(10)
    b.close()
  } finally { await server.close() }
})

test('WebSocket: allow-list and swarms-per-socket limit refuse with failure reasons', async () => {
  const allowed = new Set([Buffer.from(IH, 'latin1').toString('hex'), Buffer.from(IH2, 'latin1').toString('hex')])
  const { server, ports } = await startTracker({ udp: false, allowList: (hex) => allowed.has(hex) || hex.startsWith('41'), limits: { maxSwarmsPerSocket: 2 } })
  const c = await WsClient.open(`ws://127.0.0.1:${ports.ws}`)
  try {
    c.send(announce('a', {}, 'X'.repeat(20)))
    const r = (await c.next())!
    assert.match(String(r['failure reason']), /not allowed/)
    assert.equal(r.info_hash, 'X'.repeat(20), 'the refusal names the torrent so clients can match it')
    c.send(announce('a', {}, IH)); assert.equal((await c.next())!.incomplete, 1)
    c.send(announce('a', {}, IH2)); assert.equal((await c.next())!.incomplete, 1)
    c.send(announce('a', {}, 'A'.repeat(20)))
    assert.match(String((await c.next())!['failure reason']), /too many torrents on this connection/)
    assert.equal(server.stats().torrents, 2)
  } finally { c.close(); await server.close() }
})
