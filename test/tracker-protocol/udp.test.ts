import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  TrackerError, UdpRequestError, decodeUdpAnnounceResponse, decodeUdpConnectResponse, decodeUdpErrorResponse,
  decodeUdpScrapeResponse, encodeCompactPeer, encodeUdpAnnounceRequest, encodeUdpAnnounceResponse, encodeUdpConnectRequest,
  encodeUdpConnectResponse, encodeUdpErrorResponse, encodeUdpScrapeRequest, encodeUdpScrapeResponse, parseUdpRequest,
  readUdpHeader, type Announce, type AnnounceEvent,
} from '../../src/tracker-protocol/index.js'
import { hex, latin1, prng, randomBytes, randomId } from './helpers.js'

const CONN = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])
const A20 = '\xaa'.repeat(20), B20 = '\xbb'.repeat(20)

test('BEP 15 requests are laid out byte for byte', () => {
  assert.equal(hex(encodeUdpConnectRequest(0x01020304)), '0000041727101980' + '00000000' + '01020304')
  const b = encodeUdpAnnounceRequest(CONN, 7, { infoHash: A20, peerId: B20, port: 6881, uploaded: 3, downloaded: 2 ** 33, left: 1, event: 'stopped', key: 0xfeedface })
  assert.equal(hex(b),
    '0102030405060708' + '00000001' + '00000007' + 'aa'.repeat(20) + 'bb'.repeat(20) +
    '0000000200000000' + '0000000000000001' + '0000000000000003' + '00000003' + '00000000' + 'feedface' + 'ffffffff' + '1ae1')
  assert.equal(hex(encodeUdpScrapeRequest(CONN, 9, ['\x01'.repeat(20)])), '0102030405060708' + '00000002' + '00000009' + '01'.repeat(20))
  assert.throws(() => encodeUdpAnnounceRequest(CONN, 1, { infoHash: 'x', peerId: B20, port: 1, uploaded: 0, downloaded: 0, left: 0, event: 'none' }), /20-byte/)
  assert.throws(() => encodeUdpScrapeRequest(CONN, 1, new Array<string>(75).fill(A20)), /at most 74/)
})

test('BEP 15 responses are laid out byte for byte', () => {
  assert.equal(hex(encodeUdpConnectResponse(5, CONN)), '00000000' + '00000005' + '0102030405060708')
  const peers = [{ compact: encodeCompactPeer('127.0.0.1', 6881) }, { compact: encodeCompactPeer('::1', 6881) }]
  assert.equal(hex(encodeUdpAnnounceResponse(7, 1800, { complete: 3, incomplete: 2, peers }, 6)),
    '00000001' + '00000007' + '00000708' + '00000002' + '00000003' + '7f000001' + '1ae1')
  assert.equal(encodeUdpAnnounceResponse(7, 1800, { complete: 3, incomplete: 2, peers }, 18).length, 38, 'an IPv6 client gets only IPv6 peers')
  assert.equal(hex(encodeUdpScrapeResponse(1, [{ complete: 5, incomplete: 7, downloaded: 6 }])), '00000002' + '00000001' + '00000005' + '00000006' + '00000007')
  assert.equal(hex(encodeUdpErrorResponse(1, 'no')), '00000003' + '00000001' + '6e6f')
})

test('UDP round-trip: every request the client builds the server reads back, and every answer the other way', () => {
  const rand = prng(11)
  const events: AnnounceEvent[] = ['none', 'completed', 'started', 'stopped']
  for (let i = 0; i < 300; i++) {
    const txn = Math.floor(rand() * 2 ** 32)
    const conn = randomBytes(rand, 8)
    const a: Announce = {
      infoHash: randomId(rand), peerId: randomId(rand), port: Math.floor(rand() * 65536),
      uploaded: Math.floor(rand() * 2 ** 53), downloaded: Math.floor(rand() * 2 ** 40), left: Math.floor(rand() * 2 ** 32),
      event: events[i % 4]!, key: Math.floor(rand() * 2 ** 32),
    }
    if (i % 2) a.numwant = Math.floor(rand() * 1000)
    const r = parseUdpRequest(encodeUdpAnnounceRequest(conn, txn, a), 74)
    assert.deepEqual(r, { action: 'announce', transactionId: txn, connectionId: conn, numwant: undefined, ...a })
    const hashes = Array.from({ length: 1 + (i % 74) }, () => randomId(rand))
    assert.deepEqual(parseUdpRequest(encodeUdpScrapeRequest(conn, txn, hashes), 74), { action: 'scrape', transactionId: txn, connectionId: conn, infoHashes: hashes })
    assert.deepEqual(parseUdpRequest(encodeUdpConnectRequest(txn), 74), { action: 'connect', transactionId: txn })

    assert.deepEqual(decodeUdpConnectResponse(encodeUdpConnectResponse(txn, conn)), conn)
    const v4 = Array.from({ length: i % 20 }, (_, k) => ({ host: `10.${k}.${i % 256}.${Math.floor(rand() * 256)}`, port: 1 + Math.floor(rand() * 65535) }))
    const body = encodeUdpAnnounceResponse(txn, 1 + (i % 3600), { complete: i, incomplete: 2 * i, peers: v4.map((p) => ({ compact: encodeCompactPeer(p.host, p.port) })) }, 6)
    assert.deepEqual(readUdpHeader(body), { action: 1, transactionId: txn })
    assert.deepEqual(decodeUdpAnnounceResponse(body), { interval: 1 + (i % 3600), complete: i, incomplete: 2 * i, peers: v4 })
    const v6 = [{ host: '2001:db8::7', port: 80 }]
    assert.deepEqual(decodeUdpAnnounceResponse(encodeUdpAnnounceResponse(txn, 60, { complete: 0, incomplete: 0, peers: [{ compact: encodeCompactPeer('2001:db8::7', 80) }] }, 18), 6).peers, v6)
    const counts = hashes.map((_, k) => ({ complete: k, incomplete: k + 1, downloaded: k + 2 }))
    assert.deepEqual(decodeUdpScrapeResponse(encodeUdpScrapeResponse(txn, counts), hashes.length), counts)
  }
  assert.equal(decodeUdpErrorResponse(encodeUdpErrorResponse(1, 'torrent not allowed')).message, 'torrent not allowed')
})

test('UDP requests: junk refused with its transaction id, runts ignored', () => {
  const ann = encodeUdpAnnounceRequest(CONN, 0xdeadbeef, { infoHash: A20, peerId: B20, port: 1, uploaded: 0, downloaded: 0, left: 0, event: 'started' })
  assert.equal(parseUdpRequest(new Uint8Array(15), 10), undefined)
  const refused = (pkt: Uint8Array, re: RegExp) => assert.throws(() => parseUdpRequest(pkt, 10),
    (e: unknown) => e instanceof UdpRequestError && re.test(e.message) && e.transactionId === 0xdeadbeef, re.source)
  refused(ann.subarray(0, 97), /too short/)
  const badEvent = ann.slice(); new DataView(badEvent.buffer).setUint32(80, 9); refused(badEvent, /event/)
  const badAction = ann.slice(); new DataView(badAction.buffer).setUint32(8, 7); refused(badAction, /unknown action/)
  const scrape = new Uint8Array(16 + 25); new DataView(scrape.buffer).setUint32(8, 2); new DataView(scrape.buffer).setUint32(12, 0xdeadbeef)
  refused(scrape, /whole 20-byte/)
  refused(encodeUdpScrapeRequest(CONN, 0xdeadbeef, new Array<string>(11).fill(A20)), /too many/)
  const connect = new Uint8Array(16); new DataView(connect.buffer).setUint32(12, 0xdeadbeef)
  refused(connect, /protocol id/)
  // BEP 41 options after the 98 bytes are ignored; counters above 2^53 saturate.
  const withOptions = new Uint8Array(110); withOptions.set(ann); withOptions.fill(0xff, 56, 64)
  const r = parseUdpRequest(withOptions, 10)
  assert.ok(r?.action === 'announce' && r.downloaded === Number.MAX_SAFE_INTEGER)
})

test('UDP responses: runts and partial entries handled; fuzz throws only TrackerError', () => {
  assert.equal(readUdpHeader(new Uint8Array(7)), undefined)
  assert.throws(() => decodeUdpAnnounceResponse(new Uint8Array(12)), /short/)
  assert.throws(() => decodeUdpConnectResponse(new Uint8Array(12)), /short/)
  const partial = Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 7, 8, 0, 0, 0, 2, 0, 0, 0, 3, 127, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 1, 0, 0, 9, 9])
  assert.deepEqual(decodeUdpAnnounceResponse(partial), { interval: 1800, incomplete: 2, complete: 3, peers: [{ host: '127.0.0.1', port: 6881 }] })
  assert.equal(decodeUdpScrapeResponse(Uint8Array.from([0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7]), 2).length, 1)
  assert.equal(decodeUdpErrorResponse(latin1('\x00\x00\x00\x03\x00\x00\x00\x01')).message, 'tracker error')
  const rand = prng(12)
  for (let i = 0; i < 3000; i++) {
    const b = randomBytes(rand, Math.floor(rand() * 120))
    if (rand() < 0.5 && b.length >= 16) b.set([0, 0, 0, Math.floor(rand() * 4)], 8) // a valid action
    try { parseUdpRequest(b, 74) } catch (err) { assert.ok(err instanceof UdpRequestError, String(err)) }
    try { decodeUdpAnnounceResponse(b); decodeUdpScrapeResponse(b, 3); decodeUdpConnectResponse(b) } catch (err) { assert.ok(err instanceof TrackerError, String(err)) }
  }
})
