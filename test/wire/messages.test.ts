import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as m from '../../src/wire/messages.js'
import { WireError } from '../../src/wire/errors.js'

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'))

// Byte vectors written by hand from BEP 3 / 5 / 6 / 10: <len u32 BE><id><payload>
const VECTORS: [string, Uint8Array, m.Message][] = [
  ['keep-alive', m.encodeKeepAlive(), { type: 'keepalive' }],
  ['choke', m.encodeChoke(), { type: 'choke' }],
  ['unchoke', m.encodeUnchoke(), { type: 'unchoke' }],
  ['interested', m.encodeInterested(), { type: 'interested' }],
  ['uninterested', m.encodeUninterested(), { type: 'uninterested' }],
  ['have', m.encodeHave(0x01020304), { type: 'have', index: 0x01020304 }],
  ['bitfield', m.encodeBitfield(Uint8Array.of(0xa5, 0x80)), { type: 'bitfield', bytes: Uint8Array.of(0xa5, 0x80) }],
  ['request', m.encodeRequest(1, 0x4000, 0x4000), { type: 'request', index: 1, offset: 0x4000, length: 0x4000 }],
  ['piece', m.encodePiece(2, 0x8000, Uint8Array.of(0xde, 0xad)), { type: 'piece', index: 2, offset: 0x8000, block: Uint8Array.of(0xde, 0xad) }],
  ['cancel', m.encodeCancel(1, 0x4000, 0x4000), { type: 'cancel', index: 1, offset: 0x4000, length: 0x4000 }],
  ['port', m.encodePort(6881), { type: 'port', port: 6881 }],
  ['suggest', m.encodeSuggest(7), { type: 'suggest', index: 7 }],
  ['have all', m.encodeHaveAll(), { type: 'have-all' }],
  ['have none', m.encodeHaveNone(), { type: 'have-none' }],
  ['reject', m.encodeReject(3, 0, 0x4000), { type: 'reject', index: 3, offset: 0, length: 0x4000 }],
  ['allowed fast', m.encodeAllowedFast(0xffffffff), { type: 'allowed-fast', index: 0xffffffff }],
  ['extended', m.encodeExtended(3, Uint8Array.of(0x64, 0x65)), { type: 'extended', id: 3, payload: Uint8Array.of(0x64, 0x65) }],
]
const EXPECTED: Record<string, string> = {
  'keep-alive': '00000000',
  choke: '00000001 00',
  unchoke: '00000001 01',
  interested: '00000001 02',
  uninterested: '00000001 03',
  have: '00000005 04 01020304',
  bitfield: '00000003 05 a580',
  request: '0000000d 06 00000001 00004000 00004000',
  piece: '0000000b 07 00000002 00008000 dead',
  cancel: '0000000d 08 00000001 00004000 00004000',
  port: '00000003 09 1ae1',
  suggest: '00000005 0d 00000007',
  'have all': '00000001 0e',
  'have none': '00000001 0f',
  reject: '0000000d 10 00000003 00000000 00004000',
  'allowed fast': '00000005 11 ffffffff',
  extended: '00000004 14 03 6465',
}

test('every message encodes to the bytes the BEPs describe and decodes back', () => {
  for (const [name, bytes, message] of VECTORS) {
    assert.deepEqual(bytes, hex(EXPECTED[name]!), name)
    assert.deepEqual(m.decodeMessage(bytes.subarray(4)), message, `decode ${name}`)
  }
})

test('piece header carries the block length without the block', () => {
  assert.deepEqual(m.encodePieceHeader(2, 0x8000, 0x4000), hex('00004009 07 00000002 00008000'))
})

test('handshake: pstr, reserved bits (BEP 5, 6, 10), info hash and peer id', () => {
  const infoHash = new Uint8Array(20).fill(0xaa), peerId = new Uint8Array(20).fill(0x11)
  const all = m.encodeHandshake(infoHash, peerId, { dht: true, fast: true, extended: true })
  assert.deepEqual(all, hex('13' + Buffer.from('BitTorrent protocol').toString('hex') +
    '0000000000100005' + 'aa'.repeat(20) + '11'.repeat(20)))
  const h = m.decodeHandshake(all)
  assert.deepEqual({ dht: h.dht, fast: h.fast, extended: h.extended }, { dht: true, fast: true, extended: true })
  assert.deepEqual(h.infoHash, infoHash)
  assert.deepEqual(h.peerId, peerId)
  const none = m.decodeHandshake(m.encodeHandshake(infoHash, peerId))
  assert.deepEqual([none.dht, none.fast, none.extended], [false, false, false])
  assert.deepEqual(none.reserved, new Uint8Array(8))
  const onlyFast = m.encodeHandshake(infoHash, peerId, { fast: true })
  assert.equal(onlyFast[27], 0x04)
  const bad = all.slice(); bad[5] = 0x21
  assert.throws(() => m.decodeHandshake(bad), WireError)
  assert.throws(() => m.encodeHandshake(new Uint8Array(19), peerId), RangeError)
})

test('fixed-size messages with a wrong length are malformed; unknown ids are undefined', () => {
  for (const body of [hex('00 00'), hex('04 000001'), hex('06 00000001 00000000'), hex('09 01'), hex('07 0000'), hex('14')]) {
    assert.throws(() => m.decodeMessage(body), (e: unknown) => e instanceof WireError && e.code === 'malformed', `body ${Buffer.from(body).toString('hex')}`)
  }
  assert.equal(m.decodeMessage(hex('63 0102')), undefined)
})

test('encoders refuse values that do not fit the wire', () => {
  assert.throws(() => m.encodeHave(-1), RangeError)
  assert.throws(() => m.encodeRequest(0, 0, 2 ** 32), RangeError)
  assert.throws(() => m.encodePort(70000), RangeError)
  assert.throws(() => m.encodeExtended(256, new Uint8Array(0)), RangeError)
})
