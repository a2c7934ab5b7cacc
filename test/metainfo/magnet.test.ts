import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatMagnet, MetainfoError, parseInfoHash, parseMagnet } from '../../src/metainfo/index.js'
import { toBase32, toHex } from '../../src/util/bytes.js'

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a'

test('parse a full magnet link', () => {
  const m = parseMagnet(`magnet:?xt=urn:btih:${HEX.toUpperCase()}&dn=Big+Buck%20Bunny%26more` +
    '&tr=udp%3A%2F%2Ftracker.example%3A1337&tr=wss://t.example&tr=udp%3A%2F%2Ftracker.example%3A1337' +
    '&ws=http%3A%2F%2Fseed.example%2F&x.pe=10.0.0.1:6881&x.pe=[2001:db8::1]:51413&x.pe=bad&x.pe=h:0&so=0,2,4-6&unknown=1')
  assert.equal(m.infoHashHex, HEX)
  assert.equal(toHex(m.infoHash), HEX)
  assert.equal(m.name, 'Big Buck Bunny&more')
  assert.deepEqual(m.trackers, ['udp://tracker.example:1337', 'wss://t.example'])
  assert.deepEqual(m.webSeeds, ['http://seed.example/'])
  assert.deepEqual(m.peers, [{ host: '10.0.0.1', port: 6881 }, { host: '2001:db8::1', port: 51413 }])
  assert.deepEqual(m.select, [0, 2, 4, 5, 6])
})

test('base32 info hash, numbered keys, minimal link', () => {
  const b32 = toBase32(parseInfoHash(HEX)!)
  assert.equal(b32.length, 32)
  const m = parseMagnet(`MAGNET:?xt.1=urn:btih:${b32.toLowerCase()}&tr.1=http://a&tr.2=http://b`)
  assert.equal(m.infoHashHex, HEX)
  assert.deepEqual(m.trackers, ['http://a', 'http://b'])
  assert.equal(m.name, undefined)
  assert.equal(m.select, undefined)
  assert.deepEqual(m.peers, [])
})

test('invalid magnet links give MetainfoError', () => {
  const bad: [string, RegExp][] = [
    ['http://example.com', /not a magnet/],
    ['magnet:?dn=x', /no xt/],
    ['magnet:?xt=urn:btmh:1220' + 'ab'.repeat(32), /v2-only/],
    [`magnet:?xt=urn:btih:${HEX.slice(1)}`, /bad btih/],
    ['magnet:?xt=urn:btih:' + 'Z'.repeat(40), /bad btih/],
    ['magnet:?xt=urn:btih:' + '1'.repeat(32), /bad btih/],
    [`magnet:?xt=urn:btih:${HEX}&dn=%E0%A4%A`, /percent-encoding/],
    [`magnet:?xt=urn:btih:${HEX}&so=1,x`, /so/],
    [`magnet:?xt=urn:btih:${HEX}&so=5-2`, /so range/],
    [`magnet:?xt=urn:btih:${HEX}&so=0-999999999`, /more than/],
  ]
  for (const [uri, pattern] of bad) {
    assert.throws(() => parseMagnet(uri), (e: unknown) => e instanceof MetainfoError && pattern.test(e.message), uri)
  }
})

test('format -> parse round trip with awkward values', () => {
  const input = {
    infoHash: HEX,
    name: 'naïve & "quoted" + 100% #1 ?/=',
    trackers: ['udp://t.example:80/announce?x=1&y=2', 'wss://w.example'],
    webSeeds: ['http://s.example/a b/'],
    peers: [{ host: '127.0.0.1', port: 1 }, { host: '::1', port: 65535 }],
    select: [6, 0, 2, 5, 4, 4],
  }
  const uri = formatMagnet(input)
  assert.match(uri, /^magnet:\?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=/)
  assert.match(uri, /&so=0,2,4-6$/)
  assert.doesNotMatch(uri.slice('magnet:?'.length), /[ "#]/)
  const m = parseMagnet(uri)
  assert.equal(m.name, input.name)
  assert.deepEqual(m.trackers, input.trackers)
  assert.deepEqual(m.webSeeds, input.webSeeds)
  assert.deepEqual(m.peers, input.peers)
  assert.deepEqual(m.select, [0, 2, 4, 5, 6])
  assert.equal(formatMagnet({ infoHash: m.infoHash }), `magnet:?xt=urn:btih:${HEX}`)
  assert.throws(() => formatMagnet({ infoHash: 'abc' }), MetainfoError)
  assert.throws(() => formatMagnet({ infoHash: new Uint8Array(19) }), MetainfoError)
})

test('parseInfoHash accepts only 40 hex or 32 base32', () => {
  assert.equal(toHex(parseInfoHash(HEX)!), HEX)
  assert.equal(parseInfoHash(HEX + '0'), undefined)
  assert.equal(parseInfoHash('g'.repeat(40)), undefined)
  assert.equal(parseInfoHash(''), undefined)
  assert.equal(parseInfoHash('A'.repeat(32))!.length, 20)
})
