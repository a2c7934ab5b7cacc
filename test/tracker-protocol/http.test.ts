import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encode } from '../../src/bencode/index.js'
import {
  TrackerError, decodeAnnounceQuery, decodeAnnounceResponse, decodeScrapeQuery, decodeScrapeResponse, decodeTrackerBody,
  encodeAnnounceQuery, encodeAnnounceResponse, encodeCompactPeer, encodeFailure, encodeScrapeQuery, encodeScrapeResponse,
  percentDecodeBinary, percentEncodeBinary, percentEncodeBytes, scrapeUrlFor, withQuery,
  type Announce, type AnnounceEvent, type ListedPeer,
} from '../../src/tracker-protocol/index.js'
import { latin1, prng, randomBytes, randomId } from './helpers.js'

const IH = '\x00\xff' + 'i'.repeat(18)
const PID = '-TR3000-' + 'p'.repeat(12)
/** Every byte percent-encoded, as some real clients send. */
const pctAll = (s: string): string => [...latin1(s)].map((b) => '%' + b.toString(16).padStart(2, '0')).join('')
const peer = (ip: string, port: number, peerId = PID): ListedPeer => ({ peerId, ip, port, compact: encodeCompactPeer(ip, port) })

test('announce query: the exact bytes a client sends', () => {
  const a: Announce = { infoHash: IH, peerId: PID, port: 6881, uploaded: 1, downloaded: 2, left: 3, event: 'started', numwant: 50, key: 0xdeadbeef, trackerId: 'tid 1' }
  assert.equal(encodeAnnounceQuery(a),
    'info_hash=%00%FFiiiiiiiiiiiiiiiiii&peer_id=-TR3000-pppppppppppp&port=6881&uploaded=1&downloaded=2&left=3&compact=1' +
    '&event=started&numwant=50&key=deadbeef&trackerid=tid%201')
  assert.equal(encodeAnnounceQuery({ ...a, event: 'none', numwant: undefined, key: undefined, trackerId: undefined, uploaded: -5, left: NaN }),
    'info_hash=%00%FFiiiiiiiiiiiiiiiiii&peer_id=-TR3000-pppppppppppp&port=6881&uploaded=0&downloaded=2&left=0&compact=1')
  assert.equal(percentEncodeBytes(Uint8Array.from([0x00, 0x41, 0x7a, 0x2d, 0x2e, 0x5f, 0x7e, 0x20, 0xff, 0x25])), '%00Az-._~%20%FF%25')
  assert.throws(() => percentEncodeBinary('Ā'), TrackerError)
  assert.throws(() => encodeAnnounceQuery({ ...a, infoHash: 'short' }), /20-byte/)
  assert.equal(withQuery('http://t/announce?passkey=x#frag', 'a=1'), 'http://t/announce?passkey=x&a=1')
})

test('announce query round-trip: client encodes, server decodes the same announce', () => {
  const rand = prng(1)
  const events: AnnounceEvent[] = ['started', 'completed', 'stopped', 'none']
  for (let i = 0; i < 300; i++) {
    const a: Announce = {
      infoHash: randomId(rand), peerId: randomId(rand), port: 1 + Math.floor(rand() * 65535),
      uploaded: Math.floor(rand() * 2 ** 50), downloaded: Math.floor(rand() * 1e6), left: i % 4 === 0 ? 0 : Math.floor(rand() * 2 ** 40),
      event: events[i % 4]!,
    }
    if (i % 2) a.numwant = Math.floor(rand() * 200)
    if (i % 3) a.key = Math.floor(rand() * 2 ** 32)
    if (i % 5 === 0) a.trackerId = `id-${i}`
    const d = decodeAnnounceQuery(encodeAnnounceQuery(a))
    assert.deepEqual({ ...d }, { numwant: undefined, key: undefined, trackerId: undefined, ...a, compact: true, noPeerId: false })
  }
})

test('announce query: what other clients send is read; hostile queries are refused by name', () => {
  const a = decodeAnnounceQuery(`?info_hash=${pctAll(IH)}&peer_id=${pctAll(PID)}&port=6881&left=0&numwant=500&compact=0&no_peer_id=1&event=paused&ip=6.6.6.6&key=X1&supportcrypto=1`)
  assert.equal(a.infoHash, IH); assert.equal(a.peerId, PID); assert.equal(a.numwant, 500, 'capping is the server\'s policy')
  assert.equal(a.compact, false); assert.equal(a.noPeerId, true); assert.equal(a.event, 'none'); assert.equal(a.key, undefined, 'free-text key ignored')
  assert.equal(a.uploaded, 0)
  const base = `info_hash=${pctAll(IH)}&peer_id=${pctAll(PID)}`
  const bad: [string, RegExp][] = [
    ['info_hash=%zz', /malformed/], ['info_hash=%4', /malformed/], [`${base}&port=1&left=0&x=%g0`, /malformed/],
    [`info_hash=abc&peer_id=${pctAll(PID)}&port=1&left=0`, /invalid info_hash/],
    [`peer_id=${pctAll(PID)}&port=1&left=0`, /missing info_hash/],
    [`info_hash=${pctAll(IH)}&port=1&left=0`, /missing peer_id/],
    [`${base}x&port=1&left=0`, /invalid peer_id/],
    [`${base}&left=0`, /missing port/], [`${base}&port=0&left=0`, /invalid port/], [`${base}&port=70000&left=0`, /invalid port/],
    [`${base}&port=1`, /missing left/], [`${base}&port=1&left=-5`, /invalid left/], [`${base}&port=1&left=1e9`, /invalid left/],
    [`${base}&port=1&left=${'9'.repeat(17)}`, /invalid left/],
    [`${base}&port=1&left=0&event=bogus`, /invalid event/],
    ['a=1&'.repeat(300), /too many/],
  ]
  for (const [query, re] of bad) assert.throws(() => decodeAnnounceQuery(query), (e: unknown) => e instanceof TrackerError && re.test(e.message), query)
  assert.equal(percentDecodeBinary('a+b%20c'), 'a b c')
})

test('scrape query round-trip, URL rule (BEP 48) and refusals', () => {
  const rand = prng(2)
  const hashes = Array.from({ length: 5 }, () => randomId(rand))
  assert.deepEqual(decodeScrapeQuery(encodeScrapeQuery(hashes), 10), hashes)
  assert.throws(() => decodeScrapeQuery('', 10), /full scrape is not offered/)
  assert.throws(() => decodeScrapeQuery(encodeScrapeQuery(hashes), 4), /too many/)
  assert.throws(() => decodeScrapeQuery('info_hash=abc', 4), /20 bytes/)
  assert.equal(scrapeUrlFor('http://example.com/x/announce.php?k=1'), 'http://example.com/x/scrape.php?k=1')
  assert.equal(scrapeUrlFor('http://example.com/a'), undefined)
  assert.equal(scrapeUrlFor('http://example.com/x%064announce'), undefined)
})

test('the hand-written compact announce is byte-identical to the generic bencoder', () => {
  const peers = [peer('10.1.2.3', 6881), peer('::1', 80)]
  const fast = encodeAnnounceResponse({ complete: 3, incomplete: 12, downloaded: 7, peers }, 600, { compact: true, noPeerId: false })
  const slow = encode({ interval: 600, 'min interval': 60, complete: 3, incomplete: 12, downloaded: 7, peers: peers[0]!.compact, peers6: peers[1]!.compact })
  assert.deepEqual(fast, slow)
  assert.deepEqual(encodeAnnounceResponse({ complete: 0, incomplete: 1234567, downloaded: 10, peers: [] }, 45, { compact: true, noPeerId: false }),
    encode({ interval: 45, 'min interval': 45, complete: 0, incomplete: 1234567, downloaded: 10, peers: new Uint8Array(0) }))
})

test('announce response round-trip: compact v4 + v6, dictionary list with and without peer ids', () => {
  const rand = prng(3)
  const peers: ListedPeer[] = []
  for (let i = 0; i < 60; i++) {
    const port = 1 + Math.floor(rand() * 65535)
    peers.push(i % 3 === 0 ? peer(`2001:db8::${(i + 1).toString(16)}`, port) : peer(`10.0.${i}.${Math.floor(rand() * 256)}`, port))
  }
  const answer = { complete: 5, incomplete: 9, downloaded: 2, peers }
  const v4 = peers.filter((p) => p.compact.length === 6).map((p) => ({ host: p.ip, port: p.port }))
  const v6 = peers.filter((p) => p.compact.length === 18).map((p) => ({ host: p.ip, port: p.port }))
  for (const compact of [true, false]) {
    for (const noPeerId of [false, true]) {
      const body = encodeAnnounceResponse(answer, 900, { compact, noPeerId })
      const r = decodeAnnounceResponse(decodeTrackerBody(200, body))
      assert.deepEqual(r, { interval: 900, minInterval: 60, complete: 5, incomplete: 9, peers: compact ? [...v4, ...v6] : peers.map((p) => ({ host: p.ip, port: p.port })) })
    }
  }
})

test('failure reasons and scrape round-trip through the client decoder', () => {
  assert.throws(() => decodeTrackerBody(200, encodeFailure('torrent not allowed')), (e: unknown) => e instanceof TrackerError && e.message === 'torrent not allowed')
  const rand = prng(4)
  const files = new Map(Array.from({ length: 4 }, (_, i) => [randomId(rand), { complete: i, incomplete: i * 2, downloaded: i * 3 }] as const))
  assert.deepEqual(decodeScrapeResponse(decodeTrackerBody(200, encodeScrapeResponse(files))), files)
  // bittorrent-tracker's keys: 40 hex digits, or each byte UTF-8 encoded as a character.
  const h = '\x07\xe9' + 'k'.repeat(18)
  const hexKey = Buffer.from(h, 'latin1').toString('hex')
  const utf8Key = Buffer.from(h, 'utf8').toString('latin1')
  for (const key of [hexKey, utf8Key]) {
    const body = latin1(`d5:filesd${key.length}:${key}d8:completei1e10:downloadedi2e10:incompletei3eeee`)
    assert.deepEqual([...decodeScrapeResponse(decodeTrackerBody(200, body))], [[h, { complete: 1, incomplete: 3, downloaded: 2 }]])
  }
})

test('hostile response bodies become TrackerError with a reason, never a crash', () => {
  const bodies: [string, string, number, RegExp][] = [
    ['garbage', 'hello, this is not bencode', 200, /malformed/],
    ['truncated', 'd8:intervali60e5:peers6:\x7f\x00', 200, /malformed/],
    ['not a dict', 'li1ee', 200, /not a dictionary/],
    ['peers not a multiple of 6', 'd8:intervali60e5:peers7:\x7f\x00\x00\x01\x1a\xe1\x00e', 200, /multiple of 6/],
    ['peers6 not a multiple of 18', 'd8:intervali60e6:peers65:abcdee', 200, /multiple of 18/],
    ['peers of a wrong type', 'd8:intervali60e5:peersi3ee', 200, /unknown shape/],
    ['deep nesting', 'd1:x' + 'l'.repeat(100) + 'e'.repeat(100) + 'e', 200, /malformed/],
    ['HTTP 500 with html', '<html>oops</html>', 500, /HTTP 500/],
    ['HTTP 404 with a dict', 'd1:ai1ee', 404, /HTTP 404/],
    ['empty', '', 200, /malformed/],
    ['scrape without files', 'd5:filesi1ee', 200, /no files/],
  ]
  for (const [name, body, status, re] of bodies) {
    assert.throws(() => {
      const d = decodeTrackerBody(status, latin1(body))
      if (name.startsWith('scrape')) decodeScrapeResponse(d)
      else decodeAnnounceResponse(d)
    }, (e: unknown) => e instanceof TrackerError && re.test(e.message), name)
  }
  // Odd but legal answers: intervals clamped, junk peers skipped, long texts cut.
  const odd = decodeAnnounceResponse(decodeTrackerBody(200, latin1(
    'd8:intervali-5e12:min intervali999999999e15:warning message2000:' + 'w'.repeat(2000) +
    '5:peersld2:ip9:127.0.0.14:porti0eei7ed2:ip3:::14:porti70000eed2:ip3:::14:porti1eeee')))
  assert.deepEqual(odd, { interval: 1800, minInterval: 86_400, warning: 'w'.repeat(1024), peers: [{ host: '::1', port: 1 }] })
})

test('fuzz: random bytes into the decoders throw only TrackerError', () => {
  const rand = prng(5)
  const seed = encodeAnnounceResponse({ complete: 1, incomplete: 2, downloaded: 3, peers: [peer('1.2.3.4', 5), peer('::1', 6)] }, 60, { compact: true, noPeerId: false })
  for (let i = 0; i < 2000; i++) {
    const b = i % 2 ? randomBytes(rand, Math.floor(rand() * 64)) : seed.map((x) => (rand() < 0.05 ? Math.floor(rand() * 256) : x))
    try { decodeAnnounceResponse(decodeTrackerBody(200, b)) } catch (err) { assert.ok(err instanceof TrackerError, String(err)) }
    const q = String.fromCharCode(...randomBytes(rand, Math.floor(rand() * 80)))
    try { decodeAnnounceQuery(q) } catch (err) { assert.ok(err instanceof TrackerError, String(err)) }
  }
})
