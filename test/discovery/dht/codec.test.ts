import { test } from 'node:test'
import assert from 'node:assert/strict'
import { getBytes, getInt, getList } from '../../../src/bencode/index.js'
import { decodeMessage, encodeError, encodeQuery, encodeResponse } from '../../../src/discovery/dht/krpc.js'
import { decodeNodes, decodePeer, encodeNodes, encodePeer } from '../../../src/discovery/dht/compact.js'
import { bep42NodeId, crc32c, isBep42Valid } from '../../../src/discovery/dht/bep42.js'
import { fromHex, toHex, utf8 } from '../../../src/util/bytes.js'

const b = (s: string) => utf8(s)
const text = (u: Uint8Array) => Buffer.from(u).toString('latin1')

// The example packets of BEP 5, byte for byte.
const VECTORS = {
  error: 'd1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee',
  ping: 'd1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe',
  pingResponse: 'd1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re',
  findNode: 'd1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe',
  findNodeResponse: 'd1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re',
  getPeers: 'd1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe',
  getPeersValues: 'd1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re',
  getPeersNodes: 'd1:rd2:id20:abcdefghij01234567895:nodes9:def456...5:token8:aoeusnthe1:t2:aa1:y1:re',
  announce: 'd1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe',
  announceResponse: 'd1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re',
}

test('BEP 5 example packets: our encoder produces them byte for byte', () => {
  const t = b('aa')
  assert.equal(text(encodeError(t, 201, 'A Generic Error Ocurred')), VECTORS.error)
  assert.equal(text(encodeQuery(t, 'ping', { id: b('abcdefghij0123456789') })), VECTORS.ping)
  assert.equal(text(encodeResponse(t, { id: b('mnopqrstuvwxyz123456') })), VECTORS.pingResponse)
  assert.equal(text(encodeQuery(t, 'find_node', { id: b('abcdefghij0123456789'), target: b('mnopqrstuvwxyz123456') })), VECTORS.findNode)
  assert.equal(text(encodeResponse(t, { id: b('0123456789abcdefghij'), nodes: b('def456...') })), VECTORS.findNodeResponse)
  assert.equal(text(encodeQuery(t, 'get_peers', { id: b('abcdefghij0123456789'), info_hash: b('mnopqrstuvwxyz123456') })), VECTORS.getPeers)
  assert.equal(text(encodeResponse(t, { id: b('abcdefghij0123456789'), token: b('aoeusnth'), values: [b('axje.u'), b('idhtnm')] })), VECTORS.getPeersValues)
  assert.equal(text(encodeResponse(t, { id: b('abcdefghij0123456789'), token: b('aoeusnth'), nodes: b('def456...') })), VECTORS.getPeersNodes)
  assert.equal(text(encodeQuery(t, 'announce_peer', { id: b('abcdefghij0123456789'), implied_port: 1, info_hash: b('mnopqrstuvwxyz123456'), port: 6881, token: b('aoeusnth') })), VECTORS.announce)
  assert.equal(text(encodeResponse(t, { id: b('mnopqrstuvwxyz123456') })), VECTORS.announceResponse)
})

test('BEP 5 example packets decode to what they say', () => {
  const err = decodeMessage(b(VECTORS.error))
  assert.deepEqual(err, { y: 'e', t: b('aa'), code: 201, message: 'A Generic Error Ocurred' })
  const ping = decodeMessage(b(VECTORS.ping))
  assert.ok(ping?.y === 'q')
  assert.equal(ping.q, 'ping')
  assert.equal(text(ping.id), 'abcdefghij0123456789')
  assert.equal(ping.readOnly, false)
  const ann = decodeMessage(b(VECTORS.announce))
  assert.ok(ann?.y === 'q' && ann.q === 'announce_peer')
  assert.equal(getInt(ann.a, 'implied_port'), 1)
  assert.equal(getInt(ann.a, 'port'), 6881)
  assert.equal(text(getBytes(ann.a, 'token')!), 'aoeusnth')
  const values = decodeMessage(b(VECTORS.getPeersValues))
  assert.ok(values?.y === 'r')
  const list = getList(values.r, 'values')!.map((v) => decodePeer(v as Uint8Array))
  assert.deepEqual(list, [{ host: '97.120.106.101', port: 0x2e75 }, { host: '105.100.104.116', port: 0x6e6d }])
  const nodes = decodeMessage(b(VECTORS.getPeersNodes))
  assert.ok(nodes?.y === 'r')
  // "def456..." is 9 bytes, not a multiple of 26: no nodes, no exception
  assert.deepEqual(decodeNodes(getBytes(nodes.r, 'nodes'), 100), [])
  for (const v of Object.values(VECTORS)) assert.ok(decodeMessage(b(v)), v)
})

test('ro (BEP 43), v and ip (BEP 42) round trip', () => {
  const q = decodeMessage(encodeQuery(b('xy'), 'ping', { id: new Uint8Array(20) }, { readOnly: true, v: b('SW01') }))
  assert.ok(q?.y === 'q' && q.readOnly)
  const r = decodeMessage(encodeResponse(b('xy'), { id: new Uint8Array(20).fill(1) }, { host: '127.0.0.1', port: 6881 }))
  assert.ok(r?.y === 'r')
  assert.deepEqual(r.ip, { host: '127.0.0.1', port: 6881 })
})

test('malformed KRPC is undefined, never an exception', () => {
  const bad = ['', 'garbage', 'd', 'de', 'le', 'i1e', 'd1:t2:aa1:y1:qe', 'd1:t2:aa1:y1:re', 'd1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe',
    'd1:t0:1:y1:qe', 'd1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:ze', 'd1:eli201ee1:t2:aa1:y2:eee', 'd1:el3:abce1:t2:aa1:y1:ee',
    'd1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re' + 'x', 'd1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:r', 'l'.repeat(100) + 'e'.repeat(100)]
  for (const s of bad) assert.equal(decodeMessage(b(s)), undefined, s)
  // random bytes behind a valid-looking first byte
  let seed = 7
  for (let i = 0; i < 2000; i++) {
    const len = 1 + (i % 200)
    const buf = new Uint8Array(len)
    for (let j = 0; j < len; j++) { seed = (seed * 1103515245 + 12345) >>> 0; buf[j] = seed >>> 24 }
    buf[0] = 0x64
    decodeMessage(buf) // must not throw
  }
})

test('compact node and peer info round trip; junk entries skipped', () => {
  const nodes = [{ id: new Uint8Array(20).fill(3), host: '127.0.0.1', port: 6881 }, { id: new Uint8Array(20).fill(4), host: '10.1.2.3', port: 1 }]
  const enc = encodeNodes([...nodes, { id: new Uint8Array(20), host: 'example.org', port: 1 }])
  assert.equal(enc.length, 52)
  assert.deepEqual(decodeNodes(enc, 10), nodes)
  assert.deepEqual(decodeNodes(enc, 1), nodes.slice(0, 1))
  assert.equal(decodePeer(Uint8Array.of(127, 0, 0, 1, 0, 0)), undefined, 'port 0 is nobody')
  assert.equal(encodePeer({ host: '::1', port: 1 }), undefined)
  assert.deepEqual(decodePeer(encodePeer({ host: '1.2.3.4', port: 65535 })!), { host: '1.2.3.4', port: 65535 })
})

test('BEP 42: CRC32C and the test vectors', () => {
  assert.equal(crc32c(utf8('123456789')), 0xe3069283) // the CRC-32C check value
  const rows: [string, number, string][] = [
    ['124.31.75.21', 1, '5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401'],
    ['21.75.31.124', 86, '5a3ce9c14e7a08645677bbd1cfe7d8f956d53256'],
    ['65.23.51.170', 22, 'a5d43220bc8f112a3d426c84764f8c2a1150e616'],
    ['84.124.73.14', 65, '1b0321dd1bb1fe518101ceef99462b947a01ff41'],
    ['43.213.53.83', 90, 'e56f6cbf5b7c4be0237986d5243b87aa6d51305a'],
  ]
  for (const [ip, rand, example] of rows) {
    assert.ok(isBep42Valid(fromHex(example), ip), `${ip} example id is valid`)
    const id = bep42NodeId(ip, (n) => new Uint8Array(n), rand)
    assert.equal(toHex(id.subarray(0, 2)), example.slice(0, 4))
    assert.equal(id[2]! & 0xf8, parseInt(example.slice(4, 6), 16) & 0xf8)
    assert.equal(id[19], rand)
    assert.ok(isBep42Valid(id, ip))
    const wrong = fromHex(example); wrong[0]! ^= 0x80
    assert.equal(isBep42Valid(wrong, ip), false)
  }
  // local addresses are exempt (BEP 42 "Enforcement")
  for (const ip of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.0.9']) assert.ok(isBep42Valid(new Uint8Array(20), ip))
  assert.equal(isBep42Valid(new Uint8Array(20), '8.8.8.8'), false)
})
