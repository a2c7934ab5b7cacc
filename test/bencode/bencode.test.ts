import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decode, decodePrefix, encode, BencodeError, rawValueSpan, getText, isDict } from '../../src/bencode/index.js'
import { utf8, fromUtf8 } from '../../src/util/bytes.js'

const b = (s: string) => utf8(s)

test('decodes every type and round-trips byte-exactly', () => {
  const src = b('d4:dictd1:ai0ee4:listli1ei-2e3:abce3:numi42e3:str5:helloe')
  const v = decode(src)
  assert.ok(isDict(v))
  assert.equal(v.get('num'), 42)
  assert.equal(getText(v, 'str'), 'hello')
  assert.deepEqual(encode(v), src)
})

test('encodes plain objects with sorted keys and skips undefined', () => {
  assert.equal(fromUtf8(encode({ z: 1, a: 'x', m: undefined, l: [1, 'y'] })), 'd1:a1:x1:lli1e1:ye1:zi1ee')
})

test('keys like __proto__ are ordinary keys', () => {
  const v = decode(b('d9:__proto__d1:xi1eee'))
  assert.ok(isDict(v))
  assert.ok(isDict(v.get('__proto__')))
  assert.equal(({} as Record<string, unknown>).x, undefined)
})

test('rejects malformed input with a clear error', () => {
  for (const bad of ['', 'i', 'i01e', 'i-0e', 'ie', 'i1x2e', '5:abc', 'l', 'd1:a', 'd1:ai1e1:ai2ee', 'di1ei2ee', 'x', '-1:a', 'i1ei2e', '1:']) {
    assert.throws(() => decode(b(bad)), BencodeError, bad)
  }
})

test('enforces limits', () => {
  assert.throws(() => decode(b('l'.repeat(100) + 'e'.repeat(100))), /nesting too deep/)
  assert.throws(() => decode(b('10:0123456789'), { maxStringLength: 5 }), /longer than/)
  assert.throws(() => decode(b('li1ei2ei3ee'), { maxTokens: 3 }), /too many values/)
  assert.throws(() => decode(b('i99999999999999999999e')), /out of range/)
})

test('decodePrefix reports where the value ends; rawValueSpan finds raw bytes', () => {
  const msg = b('d8:msg_typei1e5:piecei0eeRAWDATA')
  const { end } = decodePrefix(msg)
  assert.equal(fromUtf8(msg.subarray(end)), 'RAWDATA')
  const doc = b('d8:announce3:url4:infod4:name1:xee')
  const span = rawValueSpan(doc, 'info')
  assert.ok(span)
  assert.equal(fromUtf8(doc.subarray(...span)), 'd4:name1:xe')
})

test('survives random garbage without crashing', () => {
  let seed = 1
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
  const alphabet = b('ilde0123456789:-x')
  for (let i = 0; i < 5000; i++) {
    const n = Math.floor(rnd() * 30)
    const buf = new Uint8Array(n).map(() => alphabet[Math.floor(rnd() * alphabet.length)]!)
    try { const v = decode(buf); assert.deepEqual(encode(v).length > 0, true) } catch (e) { assert.ok(e instanceof BencodeError) }
  }
})
