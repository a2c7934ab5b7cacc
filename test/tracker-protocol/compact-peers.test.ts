import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  MAX_PEERS_PER_RESPONSE, TrackerError, decodeCompactPeers, encodeCompactPeer, formatIPv6, normalizeIp, parseIPv6,
} from '../../src/tracker-protocol/index.js'
import { prng } from './helpers.js'

test('compact peers: IPv4 (BEP 23) and IPv6 (BEP 7) byte vectors', () => {
  assert.deepEqual([...encodeCompactPeer('1.2.3.4', 258)], [1, 2, 3, 4, 1, 2])
  const v6 = encodeCompactPeer('2001:db8::1', 6881)
  assert.deepEqual([...v6], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1a, 0xe1])
  assert.deepEqual([...parseIPv6('::ffff:1.2.3.4')!.subarray(10)], [0xff, 0xff, 1, 2, 3, 4])
  assert.equal(normalizeIp('::FFFF:127.0.0.1'), '127.0.0.1')
  assert.equal(encodeCompactPeer('not-an-ip', 1).length, 0)
  assert.equal(encodeCompactPeer('1.2.3.256', 1).length, 0)
  assert.equal(parseIPv6('1::2::3'), undefined)
  assert.equal(formatIPv6(parseIPv6('2001:0db8:0000:0000:0001:0000:0000:0001')!), '2001:db8::1:0:0:1', 'RFC 5952: first longest run')
})

test('compact peers round-trip: what the server encodes the client decodes', () => {
  const rand = prng(7)
  for (let i = 0; i < 200; i++) {
    const v4 = Array.from({ length: 4 }, () => Math.floor(rand() * 256)).join('.')
    const groups = Array.from({ length: 8 }, () => Math.floor(rand() * 65536).toString(16))
    if (i % 3 === 0) groups.fill('0', 2, 5) // a zero run to collapse
    const v6 = formatIPv6(parseIPv6(groups.join(':'))!)
    const port = 1 + Math.floor(rand() * 65535)
    assert.deepEqual(decodeCompactPeers(encodeCompactPeer(v4, port), 4), [{ host: v4, port }])
    assert.deepEqual(decodeCompactPeers(encodeCompactPeer(v6, port), 6), [{ host: v6, port }])
  }
})

test('compact peers: hostile lengths refused, port 0 skipped, count capped', () => {
  assert.throws(() => decodeCompactPeers(new Uint8Array(7), 4), (e: unknown) => e instanceof TrackerError && /not a multiple of 6/.test(e.message))
  assert.throws(() => decodeCompactPeers(new Uint8Array(19), 6), /peers6 length 19 is not a multiple of 18/)
  assert.deepEqual(decodeCompactPeers(Uint8Array.from([127, 0, 0, 1, 0, 0, 127, 0, 0, 2, 0, 1]), 4), [{ host: '127.0.0.2', port: 1 }])
  const many = new Uint8Array(6 * (MAX_PEERS_PER_RESPONSE + 500)).fill(1)
  assert.equal(decodeCompactPeers(many, 4).length, MAX_PEERS_PER_RESPONSE)
})
