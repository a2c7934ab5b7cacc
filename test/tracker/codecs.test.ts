import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encode } from '../../src/bencode/index.js'
import { parseHttpAnnounce, parseHttpScrape, parseQuery } from '../../src/tracker/http-request.js'
import { encodeHttpAnnounce } from '../../src/tracker/http-response.js'
import { compactPeer, normalizeIp, parseIPv6 } from '../../src/tracker/compact.js'
import { parseUdpRequest, encodeUdpAnnounce, UdpRefusal } from '../../src/tracker/udp-codec.js'
import { parseWsMessage } from '../../src/tracker/ws-messages.js'
import { ConnectionIds } from '../../src/tracker/connection-id.node.js'
import { RateLimiter } from '../../src/tracker/rate-limiter.js'
import { escapeHtml, clientName, renderStatsHtml, RateMeter } from '../../src/tracker/stats.js'
import { TrackerRefusal } from '../../src/tracker/types.js'
import { pct } from './helpers.js'

const IH = '\x00\xff' + 'i'.repeat(18)
const PID = '-TR3000-' + 'p'.repeat(12)

test('HTTP query: raw bytes survive percent-decoding; broken input is refused', () => {
  const a = parseHttpAnnounce(`info_hash=${pct(IH)}&peer_id=${pct(PID)}&port=6881&left=0&numwant=500&compact=0&event=started`, '1.2.3.4', 50)
  assert.equal(a.infoHash, IH)
  assert.equal(a.peerId, PID)
  assert.equal(a.numwant, 50, 'numwant capped')
  assert.equal(a.compact, false)
  assert.equal(a.event, 'started')
  assert.equal(a.ip, '1.2.3.4')
  const bad: [string, RegExp][] = [
    ['info_hash=%zz', /malformed/], ['info_hash=%4', /malformed/],
    [`info_hash=abc&peer_id=${pct(PID)}&port=1&left=0`, /invalid info_hash/],
    [`info_hash=${pct(IH)}&peer_id=${pct(PID)}x&port=1&left=0`, /invalid peer_id/],
    [`info_hash=${pct(IH)}&peer_id=${pct(PID)}&left=0`, /missing port/],
    [`info_hash=${pct(IH)}&peer_id=${pct(PID)}&port=70000&left=0`, /invalid port/],
    [`info_hash=${pct(IH)}&peer_id=${pct(PID)}&port=1&left=-5`, /invalid left/],
    [`info_hash=${pct(IH)}&peer_id=${pct(PID)}&port=1&left=0&event=bogus`, /invalid event/],
    ['a=1&'.repeat(300), /too many/],
  ]
  for (const [query, re] of bad) assert.throws(() => parseHttpAnnounce(query, '1.2.3.4', 50), re, query)
  assert.deepEqual(parseHttpScrape(parseQuery(`info_hash=${pct(IH)}&info_hash=${pct('x'.repeat(20))}`), 10), [IH, 'x'.repeat(20)])
  assert.throws(() => parseHttpScrape(parseQuery(''), 10), TrackerRefusal)
  assert.throws(() => parseHttpScrape(parseQuery(`info_hash=${pct(IH)}&`.repeat(11)), 10), /too many/)
})

test('the hand-written compact announce is byte-identical to the generic bencoder', () => {
  const peers = [
    { peerId: PID, ip: '10.1.2.3', port: 6881, compact: compactPeer('10.1.2.3', 6881) },
    { peerId: PID, ip: '::1', port: 80, compact: compactPeer('::1', 80) },
  ]
  const result = { complete: 3, incomplete: 12, downloaded: 7, peers }
  const fast = encodeHttpAnnounce(result, 600, { compact: true, noPeerId: false })
  const slow = encode({
    interval: 600, 'min interval': 60, complete: 3, incomplete: 12, downloaded: 7,
    peers: peers[0]!.compact, peers6: peers[1]!.compact,
  })
  assert.deepEqual(fast, slow)
  const none = { complete: 0, incomplete: 1234567, downloaded: 10, peers: [] }
  assert.deepEqual(encodeHttpAnnounce(none, 45, { compact: true, noPeerId: false }),
    encode({ interval: 45, 'min interval': 45, complete: 0, incomplete: 1234567, downloaded: 10, peers: new Uint8Array(0) }))
})

test('compact addresses: IPv4 (BEP 23), IPv6 (BEP 7), mapped addresses normalized', () => {
  assert.deepEqual([...compactPeer('1.2.3.4', 258)], [1, 2, 3, 4, 1, 2])
  const v6 = compactPeer('2001:db8::1', 1)
  assert.equal(v6.length, 18)
  assert.deepEqual([...v6.subarray(0, 4)], [0x20, 0x01, 0x0d, 0xb8])
  assert.equal(v6[15], 1)
  assert.deepEqual([...parseIPv6('::ffff:1.2.3.4')!.subarray(10)], [0xff, 0xff, 1, 2, 3, 4])
  assert.equal(normalizeIp('::ffff:127.0.0.1'), '127.0.0.1')
  assert.equal(compactPeer('not-an-ip', 1).length, 0)
  assert.equal(parseIPv6('1::2::3'), undefined)
})

test('UDP packets: announce parsed, junk refused with its transaction id, runts ignored', () => {
  const ann = new Uint8Array(98)
  const v = new DataView(ann.buffer)
  v.setUint32(8, 1); v.setUint32(12, 0xdeadbeef)
  ann.set(Buffer.from(IH, 'latin1'), 16); ann.set(Buffer.from(PID, 'latin1'), 36)
  v.setBigUint64(64, 5n); v.setUint32(80, 2); v.setInt32(92, -1); v.setUint16(96, 6881)
  const r = parseUdpRequest(ann, 10)
  assert.ok(r && r.action === 'announce')
  assert.equal(r.infoHash, IH); assert.equal(r.peerId, PID); assert.equal(r.left, 5)
  assert.equal(r.event, 'started'); assert.equal(r.numwant, 50); assert.equal(r.port, 6881)
  assert.equal(parseUdpRequest(new Uint8Array(15), 10), undefined)
  const expectRefusal = (pkt: Uint8Array, re: RegExp) => assert.throws(() => parseUdpRequest(pkt, 10),
    (e: unknown) => e instanceof UdpRefusal && re.test(e.message) && e.transactionId === 0xdeadbeef)
  expectRefusal(ann.subarray(0, 97), /too short/)
  const badEvent = ann.slice(); new DataView(badEvent.buffer).setUint32(80, 9); expectRefusal(badEvent, /event/)
  const badAction = ann.slice(); new DataView(badAction.buffer).setUint32(8, 7); expectRefusal(badAction, /unknown action/)
  const scrape = new Uint8Array(16 + 25); new DataView(scrape.buffer).setUint32(8, 2); new DataView(scrape.buffer).setUint32(12, 0xdeadbeef)
  expectRefusal(scrape, /whole 20-byte/)
  const connect = new Uint8Array(16); new DataView(connect.buffer).setUint32(12, 0xdeadbeef)
  expectRefusal(connect, /protocol id/)
  const out = encodeUdpAnnounce(7, 600, { complete: 1, incomplete: 2, downloaded: 0, peers: [
    { peerId: PID, ip: '1.2.3.4', port: 1, compact: compactPeer('1.2.3.4', 1) },
    { peerId: PID, ip: '::1', port: 1, compact: compactPeer('::1', 1) },
  ] }, 6)
  assert.equal(out.length, 26, 'an IPv4 socket returns only IPv4 peers')
})

test('WebSocket messages: validated and rebuilt; every malformed shape refused', () => {
  const lim = { maxOffers: 2, maxScrapeHashes: 3, maxNumwant: 50 }
  const offer = (id: string) => ({ offer_id: id, offer: { type: 'offer', sdp: 'v=0', extra: 'dropped' } })
  const m = parseWsMessage(JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, left: null, numwant: 99,
    offers: [offer('a'.repeat(20)), offer('b'.repeat(20)), offer('c'.repeat(20))] }), lim)
  assert.ok(m.action === 'announce')
  assert.equal(m.offers.length, 2, 'offers capped')
  assert.deepEqual(m.offers[0]!.offer, { type: 'offer', sdp: 'v=0' })
  assert.equal(m.numwant, 50)
  assert.equal(m.left, Number.MAX_SAFE_INTEGER, 'unknown left means leecher')
  const ans = parseWsMessage(JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, to_peer_id: PID, offer_id: IH, answer: { type: 'answer', sdp: 'x' } }), lim)
  assert.equal(ans.action, 'answer')
  const bad: [string, RegExp][] = [
    ['{', /invalid JSON/], ['[1]', /JSON object/], ['{"action":"hack"}', /unknown action/],
    [JSON.stringify({ action: 'announce', info_hash: 'short', peer_id: PID }), /info_hash/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID + 'x' }), /peer_id/],
    [JSON.stringify({ action: 'announce', info_hash: 'Ā'.repeat(20), peer_id: PID }), /info_hash/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, offers: [offer('short')] }), /offer_id/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, offers: [{ offer_id: IH, offer: { type: 'answer', sdp: '' } }] }), /invalid offer/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, offers: 'x' }), /list/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, left: 'x' }), /invalid left/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, to_peer_id: 'x', offer_id: IH, answer: { type: 'answer', sdp: '' } }), /to_peer_id/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, to_peer_id: PID, offer_id: 'x', answer: { type: 'answer', sdp: '' } }), /offer_id/],
    [JSON.stringify({ action: 'scrape', info_hash: [IH, IH, IH, IH] }), /too many/],
    [JSON.stringify({ action: 'scrape', info_hash: 'x' }), /info_hash/],
  ]
  for (const [text, re] of bad) assert.throws(() => parseWsMessage(text, lim), re, text)
  const sc = parseWsMessage(JSON.stringify({ action: 'scrape', info_hash: IH }), lim)
  assert.deepEqual(sc, { action: 'scrape', infoHashes: [IH] })
})

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
    memory: { rss: 1, heapUsed: 1, external: 1 }, uptimeSeconds: 1 })
  assert.ok(html.includes('&lt;script&gt;') && !html.includes('<script>'))
  let t = 0
  const m = new RateMeter(() => t)
  for (t = 0; t < 10_000; t += 100) m.mark()
  assert.ok(Math.abs(m.perSecond() - 10) < 0.01, String(m.perSecond()))
  t += 60_000
  assert.equal(m.perSecond(), 0)
})
