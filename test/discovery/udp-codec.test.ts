import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeAnnounce, decodeError, decodeScrape, encodeAnnounce, encodeConnect, encodeScrape, readHeader } from '../../src/discovery/udp-codec.js'
import { toHex } from '../../src/util/bytes.js'

test('BEP 15 connect and announce requests are laid out byte for byte', () => {
  assert.equal(toHex(encodeConnect(0x01020304)), '0000041727101980' + '00000000' + '01020304')
  const conn = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])
  const b = encodeAnnounce(conn, 7, {
    infoHash: new Uint8Array(20).fill(0xaa), peerId: new Uint8Array(20).fill(0xbb), port: 6881,
    uploaded: 3, downloaded: 2 ** 33, left: 1, event: 'stopped', key: 0xfeedface,
  })
  assert.equal(b.length, 98)
  assert.equal(toHex(b),
    '0102030405060708' + '00000001' + '00000007' + 'aa'.repeat(20) + 'bb'.repeat(20) +
    '0000000200000000' + '0000000000000001' + '0000000000000003' + '00000003' + '00000000' + 'feedface' + 'ffffffff' + '1ae1')
  assert.equal(toHex(encodeScrape(conn, 9, [new Uint8Array(20).fill(1)])), '0102030405060708' + '00000002' + '00000009' + '01'.repeat(20))
})

test('BEP 15 responses decode; runts and partial peers are handled', () => {
  const resp = Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 7, 8, 0, 0, 0, 2, 0, 0, 0, 3, 127, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 1, 0, 0, 9, 9])
  assert.deepEqual(readHeader(resp), { action: 1, txn: 7 })
  assert.deepEqual(decodeAnnounce(resp), { interval: 1800, incomplete: 2, complete: 3, peers: [{ host: '127.0.0.1', port: 6881 }] })
  assert.equal(readHeader(new Uint8Array(7)), undefined)
  assert.throws(() => decodeAnnounce(new Uint8Array(12)), /short/)
  const scrape = Uint8Array.from([0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7])
  assert.deepEqual([...decodeScrape(scrape, [new Uint8Array(20), new Uint8Array(20).fill(1)], toHex)],
    [['00'.repeat(20), { complete: 5, downloaded: 6, incomplete: 7 }]])
  assert.equal(decodeError(Uint8Array.from([0, 0, 0, 3, 0, 0, 0, 1, 0x6e, 0x6f])).message, 'no')
})
