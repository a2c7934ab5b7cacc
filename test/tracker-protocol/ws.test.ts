import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  TrackerError, WsRequestError, encodeWsAnnounce, encodeWsAnnounceResponse, encodeWsAnswer, encodeWsAnswerRelay, encodeWsFailure,
  encodeWsOfferRelay, encodeWsScrape, encodeWsScrapeResponse, parseWsRequest, parseWsResponse, MAX_SDP,
  type AnnounceEvent, type WsAnnounce,
} from '../../src/tracker-protocol/index.js'
import { prng, randomId } from './helpers.js'

const IH = '\x00\xff' + 'i'.repeat(18)
const PID = '-WW0001-' + 'p'.repeat(12)
const LIM = { maxOffers: 10, maxScrapeHashes: 64, maxNumwant: 50 }

test('WebSocket requests: the exact JSON a client sends', () => {
  assert.equal(encodeWsAnnounce({ infoHash: 'h'.repeat(20), peerId: 'p'.repeat(20), uploaded: 1, downloaded: 2, left: 3, event: 'started', numwant: 1,
    offers: [{ offerId: 'o'.repeat(20), offer: { type: 'offer', sdp: 'v=0' } }] }),
  `{"action":"announce","info_hash":"${'h'.repeat(20)}","peer_id":"${'p'.repeat(20)}","uploaded":1,"downloaded":2,"left":3,"event":"started","numwant":1,` +
    `"offers":[{"offer_id":"${'o'.repeat(20)}","offer":{"type":"offer","sdp":"v=0"}}]}`)
  assert.doesNotMatch(encodeWsAnnounce({ infoHash: IH, peerId: PID, uploaded: 0, downloaded: 0, left: 0, event: 'none', numwant: 0, offers: [] }), /event/)
  assert.equal(encodeWsAnswer({ infoHash: 'h'.repeat(20), peerId: 'p'.repeat(20), toPeerId: 't'.repeat(20), offerId: 'o'.repeat(20), answer: { type: 'answer', sdp: 'x' } }),
    `{"action":"announce","info_hash":"${'h'.repeat(20)}","peer_id":"${'p'.repeat(20)}","to_peer_id":"${'t'.repeat(20)}","offer_id":"${'o'.repeat(20)}","answer":{"type":"answer","sdp":"x"}}`)
})

test('WebSocket round-trip: client requests read back by the server; tracker messages read back by the client', () => {
  const rand = prng(21)
  const events: AnnounceEvent[] = ['started', 'completed', 'stopped', 'none']
  for (let i = 0; i < 200; i++) {
    const offers = Array.from({ length: i % 6 }, (_, k) => ({ offerId: randomId(rand), offer: { type: 'offer' as const, sdp: `v=0\r\na=${k}\u00e9\r\n` } }))
    const a: WsAnnounce = { action: 'announce', infoHash: randomId(rand), peerId: randomId(rand), uploaded: i, downloaded: i * 2, left: i % 3 ? i * 1000 : 0, event: events[i % 4]!, numwant: offers.length, offers }
    assert.deepEqual(parseWsRequest(encodeWsAnnounce(a), LIM), a)
    const ans = { infoHash: a.infoHash, peerId: a.peerId, toPeerId: randomId(rand), offerId: randomId(rand), answer: { type: 'answer' as const, sdp: 'v=0 a' } }
    assert.deepEqual(parseWsRequest(encodeWsAnswer(ans), LIM), { action: 'answer', ...ans })
    const hashes = Array.from({ length: 1 + (i % 4) }, () => randomId(rand))
    assert.deepEqual(parseWsRequest(encodeWsScrape(hashes), LIM), { action: 'scrape', infoHashes: hashes })

    assert.deepEqual(parseWsResponse(encodeWsAnnounceResponse({ infoHash: a.infoHash, interval: 120, complete: i, incomplete: 1 })),
      { kind: 'response', infoHash: a.infoHash, interval: 120, complete: i, incomplete: 1 })
    if (offers[0]) {
      assert.deepEqual(parseWsResponse(encodeWsOfferRelay({ infoHash: a.infoHash, peerId: a.peerId, offerId: offers[0].offerId, offer: offers[0].offer })),
        { kind: 'offer', infoHash: a.infoHash, peerId: a.peerId, offerId: offers[0].offerId, offer: offers[0].offer })
    }
    assert.deepEqual(parseWsResponse(encodeWsAnswerRelay({ infoHash: a.infoHash, peerId: ans.peerId, offerId: ans.offerId, answer: ans.answer })),
      { kind: 'answer', infoHash: a.infoHash, peerId: ans.peerId, offerId: ans.offerId, answer: ans.answer })
    const files = new Map(hashes.map((h, k) => [h, { complete: k, incomplete: k + 1, downloaded: k + 2 }]))
    assert.deepEqual(parseWsResponse(encodeWsScrapeResponse(files)), { kind: 'scrape', files })
  }
  assert.deepEqual(parseWsResponse(encodeWsFailure(new WsRequestError('too many torrents on this connection', 'announce', IH))),
    { kind: 'failure', reason: 'too many torrents on this connection', infoHash: IH })
  assert.deepEqual(parseWsResponse(encodeWsFailure(new TrackerError('rate limited'))), { kind: 'failure', reason: 'rate limited' })
})

test('WebSocket requests: validated and rebuilt; every malformed shape refused by name', () => {
  const lim = { maxOffers: 2, maxScrapeHashes: 3, maxNumwant: 50 }
  const offer = (id: string) => ({ offer_id: id, offer: { type: 'offer', sdp: 'v=0', extra: 'dropped' } })
  const m = parseWsRequest(JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, left: null, numwant: 99, extra: 'x',
    offers: [offer('a'.repeat(20)), offer('b'.repeat(20)), offer('c'.repeat(20))] }), lim)
  assert.ok(m.action === 'announce')
  assert.equal(m.offers.length, 2, 'offers capped')
  assert.deepEqual(m.offers[0]!.offer, { type: 'offer', sdp: 'v=0' })
  assert.equal(m.numwant, 50)
  assert.equal(m.left, Number.MAX_SAFE_INTEGER, 'unknown left means leecher')
  const bad: [string, RegExp][] = [
    ['{', /invalid JSON/], ['[1]', /JSON object/], ['null', /JSON object/], ['{"action":"hack"}', /unknown action/],
    [JSON.stringify({ action: 'announce', info_hash: 'short', peer_id: PID }), /info_hash/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID + 'x' }), /peer_id/],
    [JSON.stringify({ action: 'announce', info_hash: 'Ā'.repeat(20), peer_id: PID }), /info_hash/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, offers: [offer('short')] }), /offer_id/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, offers: [{ offer_id: IH, offer: { type: 'answer', sdp: '' } }] }), /invalid offer/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, offers: [{ offer_id: IH, offer: { type: 'offer', sdp: 'x'.repeat(MAX_SDP + 1) } }] }), /invalid offer/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, offers: 'x' }), /list/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, left: 'x' }), /invalid left/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, uploaded: -1 }), /invalid uploaded/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, event: 'hack' }), /invalid event/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, to_peer_id: 'x', offer_id: IH, answer: { type: 'answer', sdp: '' } }), /to_peer_id/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, to_peer_id: PID, offer_id: 'x', answer: { type: 'answer', sdp: '' } }), /offer_id/],
    [JSON.stringify({ action: 'announce', info_hash: IH, peer_id: PID, to_peer_id: PID, offer_id: IH, answer: { type: 'offer', sdp: '' } }), /invalid answer/],
    [JSON.stringify({ action: 'scrape', info_hash: [IH, IH, IH, IH] }), /too many/],
    [JSON.stringify({ action: 'scrape', info_hash: 'x' }), /info_hash/],
    [JSON.stringify({ action: 'scrape' }), /full scrape/],
  ]
  for (const [text, re] of bad) assert.throws(() => parseWsRequest(text, lim), (e: unknown) => e instanceof WsRequestError && re.test(e.message), text)
  // A refusal names the torrent when it is known, so the client can match it.
  assert.throws(() => parseWsRequest(JSON.stringify({ action: 'announce', info_hash: IH, peer_id: 'x' }), lim), (e: unknown) => e instanceof WsRequestError && e.infoHash === IH && e.action === 'announce')
})

test('WebSocket responses: hostile frames are ignored, never thrown', () => {
  const id = 'i'.repeat(20)
  const ignored = [
    'not json', '[1,2]', '"x"', JSON.stringify({ action: 'announce', info_hash: 'short' }),
    JSON.stringify({ action: 'announce', info_hash: '\u0100'.repeat(20) }),
    JSON.stringify({ action: 'announce', info_hash: id, peer_id: id, offer_id: 'x', offer: { type: 'offer', sdp: 'v=0' } }),
    JSON.stringify({ action: 'announce', info_hash: id, peer_id: id, offer_id: id, offer: { type: 'answer', sdp: 'v=0' } }),
    JSON.stringify({ action: 'scrape', files: [1] }), JSON.stringify({ action: 'dance' }),
    '"' + 'x'.repeat(300 * 1024) + '"',
  ]
  for (const f of ignored) assert.equal(parseWsResponse(f).kind, 'ignored', f.slice(0, 80))
  assert.equal(parseWsResponse(new Uint8Array(3)).kind, 'ignored')
  assert.deepEqual(parseWsResponse(JSON.stringify({ action: 'announce', info_hash: id, interval: 'x', complete: Infinity, 'warning message': 'slow' })),
    { kind: 'response', infoHash: id, warning: 'slow' })
  assert.deepEqual(parseWsResponse(JSON.stringify({ action: 'scrape', files: { short: {}, [id]: { complete: -1, incomplete: 'x', downloaded: 4 } } })),
    { kind: 'scrape', files: new Map([[id, { complete: 0, incomplete: 0, downloaded: 4 }]]) })
  const rand = prng(22)
  const seed = encodeWsOfferRelay({ infoHash: IH, peerId: PID, offerId: id, offer: { type: 'offer', sdp: 'v=0' } })
  for (let i = 0; i < 3000; i++) {
    const chars = [...seed].map((c) => (rand() < 0.03 ? String.fromCharCode(Math.floor(rand() * 128)) : c)).join('')
    parseWsResponse(chars)
    try { parseWsRequest(chars, LIM) } catch (err) { assert.ok(err instanceof WsRequestError, String(err)) }
  }
})
