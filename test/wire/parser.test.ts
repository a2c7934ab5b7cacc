import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as m from '../../src/wire/messages.js'
import { WireParser, type ParsedMessage } from '../../src/wire/parser.js'
import { WireError } from '../../src/wire/errors.js'
import { concat } from '../../src/util/bytes.js'

function sampleStream(): Uint8Array {
  const block = new Uint8Array(16384).map((_, i) => (i * 31) & 0xff)
  return concat([
    m.encodeHandshake(new Uint8Array(20).fill(1), new Uint8Array(20).fill(2), { fast: true, extended: true }),
    m.encodeExtended(0, new TextEncoder().encode('d1:md11:ut_metadatai1eee')),
    m.encodeBitfield(Uint8Array.of(0xff, 0xf0)),
    m.encodeKeepAlive(),
    m.encodeInterested(), m.encodeUnchoke(), m.encodeHave(5),
    m.encodeRequest(0, 0, 16384),
    m.encodePiece(0, 0, block),
    Uint8Array.of(0, 0, 0, 2, 0x63, 0x01), // unknown id 99: skipped
    m.encodePiece(1, 16384, new Uint8Array(0)),
    m.encodeCancel(0, 0, 16384), m.encodeReject(0, 0, 16384), m.encodeAllowedFast(3), m.encodeSuggest(4),
    m.encodeHaveAll(), m.encodeHaveNone(), m.encodePort(6881), m.encodeChoke(), m.encodeUninterested(),
  ])
}

/** Deterministic pseudo-random generator so a failure repeats. */
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 }
}

function parseIn(chunks: Uint8Array[]): { messages: ParsedMessage[]; unknown: number } {
  const p = new WireParser()
  const messages = chunks.flatMap((c) => p.push(c))
  assert.equal(p.buffered, 0)
  return { messages, unknown: p.unknownMessages }
}

test('one chunk, byte by byte and random splits give identical messages', () => {
  const stream = sampleStream()
  const whole = parseIn([stream])
  assert.equal(whole.messages.length, 19)
  assert.equal(whole.unknown, 1)
  assert.equal(whole.messages[0]!.type, 'handshake')
  const byByte = parseIn(Array.from(stream, (b) => Uint8Array.of(b)))
  assert.deepEqual(byByte, whole)
  const rand = lcg(42)
  for (let round = 0; round < 50; round++) {
    const chunks: Uint8Array[] = []
    for (let at = 0; at < stream.length;) {
      const n = 1 + Math.floor(rand() * (rand() < 0.5 ? 8 : 20000))
      chunks.push(stream.slice(at, at + n)); at += n
    }
    assert.deepEqual(parseIn(chunks), whole, `round ${round}`)
  }
})

test('a piece inside one chunk is a view of that chunk, not a copy', () => {
  const block = new Uint8Array(16384).fill(7)
  const chunk = concat([m.encodePiece(1, 0, block), m.encodeHave(1)])
  const [piece] = new WireParser({ handshake: false }).push(chunk)
  assert.ok(piece?.type === 'piece')
  assert.equal(piece.block.buffer, chunk.buffer)
  assert.equal(piece.block.byteOffset, chunk.byteOffset + 13)
  assert.equal(piece.block.length, 16384)
})

test('a message split over chunks is gathered once it is complete', () => {
  const msg = m.encodePiece(9, 0, new Uint8Array(1000).fill(3))
  const p = new WireParser({ handshake: false })
  assert.deepEqual(p.push(msg.subarray(0, 2)), [])
  assert.deepEqual(p.push(msg.subarray(2, 500)), [])
  const [piece] = p.push(msg.subarray(500))
  assert.ok(piece?.type === 'piece')
  assert.deepEqual(piece.block, new Uint8Array(1000).fill(3))
})

test('oversize length prefix is refused before the body arrives', () => {
  const p = new WireParser({ handshake: false, maxMessageLength: 16384 + 9 })
  assert.equal(p.push(m.encodePieceHeader(0, 0, 16384)).length, 0, 'the largest allowed block is fine')
  const q = new WireParser({ handshake: false, maxMessageLength: 16384 + 9 })
  assert.throws(() => q.push(m.encodePieceHeader(0, 0, 16385)), (e: unknown) => e instanceof WireError && e.code === 'oversize')
  const d = new WireParser({ handshake: false })
  assert.throws(() => d.push(Uint8Array.of(0x7f, 0xff, 0xff, 0xff)), (e: unknown) => e instanceof WireError && e.code === 'oversize')
})

test('malformed input is a WireError: bad handshake, wrong fixed length', () => {
  assert.throws(() => new WireParser().push(new TextEncoder().encode('GET / HTTP/1.1\r\n')),
    (e: unknown) => e instanceof WireError && e.code === 'malformed')
  const hs = m.encodeHandshake(new Uint8Array(20), new Uint8Array(20))
  hs[3] = 0x78
  assert.throws(() => new WireParser().push(hs), WireError)
  assert.throws(() => new WireParser({ handshake: false }).push(Uint8Array.of(0, 0, 0, 2, 4, 0)), WireError)
})

test('fuzz: random bytes after a handshake either parse or raise a WireError, nothing else', () => {
  const rand = lcg(7)
  const hs = m.encodeHandshake(new Uint8Array(20), new Uint8Array(20))
  let errors = 0, messages = 0
  for (let round = 0; round < 300; round++) {
    const p = new WireParser({ maxMessageLength: 4096 })
    const junk = new Uint8Array(1 + Math.floor(rand() * 600)).map(() => {
      // small length prefixes and known ids are likelier than in uniform noise
      const r = rand()
      return r < 0.5 ? 0 : r < 0.7 ? Math.floor(rand() * 21) : Math.floor(rand() * 256)
    })
    try {
      messages += p.push(hs).length
      for (let at = 0; at < junk.length; at += 37) messages += p.push(junk.subarray(at, at + 37)).length
    } catch (e) {
      assert.ok(e instanceof WireError, String(e))
      errors++
    }
  }
  assert.ok(errors > 0 && messages > 300, `errors ${errors}, messages ${messages}`)
})
