import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MseError, MseInitiator, MseReceiver, type MseOutcome } from '../../src/transport/mse/handshake.js'
import { CRYPTO_PLAINTEXT, CRYPTO_RC4 } from '../../src/transport/mse/crypto.js'
import { concat, utf8 } from '../../src/util/bytes.js'
import { findAmong, INFO_HASH, OTHER_HASH, runPair, seeded } from './mse-helpers.js'

function assertPaired(a: MseOutcome, b: MseOutcome): void {
  assert.equal(a.method, b.method)
  assert.deepEqual(a.infoHash, b.infoHash)
  if (a.method === 'plaintext') {
    assert.equal(a.encrypt, undefined); assert.equal(b.decrypt, undefined)
    return
  }
  const msg = utf8('a message under RC4, both ways')
  const x = a.encrypt!.processCopy(msg)
  assert.notDeepEqual(x, msg)
  assert.deepEqual(b.decrypt!.processCopy(x), msg)
  assert.deepEqual(a.decrypt!.processCopy(b.encrypt!.processCopy(msg)), msg)
}

test('initiator ↔ receiver: every provide/allow/prefer combination picks the right method or fails', () => {
  const allows = [{ plaintext: true, rc4: true }, { plaintext: false, rc4: true }, { plaintext: true, rc4: false }]
  for (const provide of [CRYPTO_PLAINTEXT, CRYPTO_RC4, CRYPTO_PLAINTEXT | CRYPTO_RC4]) {
    for (const allow of allows) {
      for (const prefer of ['plaintext', 'rc4'] as const) {
        const plain = allow.plaintext && (provide & 1) !== 0, rc4 = allow.rc4 && (provide & 2) !== 0
        const want = plain && rc4 ? prefer : rc4 ? 'rc4' : plain ? 'plaintext' : undefined
        const label = `provide ${provide} allow ${JSON.stringify(allow)} prefer ${prefer}`
        if (!want) { assert.throws(() => runPair({ provide }, { allow, prefer }), MseError, label); continue }
        const run = runPair({ provide }, { allow, prefer })
        assert.ok(run.aOut && run.bOut, label)
        assert.equal(run.aOut.method, want, label)
        assertPaired(run.aOut, run.bOut)
      }
    }
  }
})

test('pads of every size from 0 to 512 on all four pads', () => {
  for (let len = 0; len <= 512; len++) {
    const provide = len % 2 ? CRYPTO_RC4 : CRYPTO_PLAINTEXT | CRYPTO_RC4
    const run = runPair({ provide, padLength: () => len }, { padLength: () => len, prefer: 'rc4' })
    assert.ok(run.aOut && run.bOut, `pad ${len}`)
    assert.equal(run.aToB[0]!.length, 96 + len) // Ya, PadA
    assert.equal(run.bToA[0]!.length, 96 + len) // Yb, PadB
    assert.equal(run.aToB[1]!.length, 40 + 8 + 4 + 2 + len + 2) // req1, req2^req3, VC, provide, len, PadC, len(IA)
    assert.equal(run.bToA[1]!.length, 8 + 4 + 2 + len) // VC, select, len, PadD
    assertPaired(run.aOut, run.bOut)
  }
})

test('the receiver finds the torrent among several by HASH(req2, SKEY), and refuses an unknown one', () => {
  const run = runPair({ provide: CRYPTO_RC4, infoHash: OTHER_HASH }, {})
  assert.deepEqual(run.bOut!.infoHash, OTHER_HASH)
  assertPaired(run.aOut!, run.bOut!)
  assert.throws(() => runPair({ provide: CRYPTO_RC4, infoHash: new Uint8Array(20).fill(9) }, {}), /torrent we do not have/)
})

/** One reference handshake, then the same bytes fed in every two-chunk split and one byte at
 * a time: the outcome and the stream bytes after the handshake must not depend on the cut. */
for (const method of ['rc4', 'plaintext'] as const) {
  test(`data split at every byte boundary of the handshake (${method}), IA and stream bytes after it`, () => {
    const provide = CRYPTO_PLAINTEXT | CRYPTO_RC4
    const ia = utf8('\x13BitTorrent protocol, the initial payload')
    const tail = utf8('stream bytes that came in the same read as the handshake')
    const opts = { provide, ia, padLength: () => 7 }
    const recOpts = { padLength: () => 5, prefer: method }
    const ref = runPair(opts, recOpts)
    assert.equal(ref.aOut!.method, method)
    // the stream after each side's handshake, as the other side receives it
    const aStream = method === 'rc4' ? ref.aOut!.encrypt!.processCopy(tail) : tail
    const bStream = method === 'rc4' ? ref.bOut!.encrypt!.processCopy(tail) : tail
    const toB = concat([...ref.aToB, aStream]), toA = concat([...ref.bToA, bStream])
    const cuts = (bytes: Uint8Array) => [
      ...Array.from({ length: bytes.length + 1 }, (_, k) => [bytes.subarray(0, k), bytes.subarray(k)]),
      Array.from(bytes, (_, k) => bytes.subarray(k, k + 1)),
    ]
    const streamOf = (out: MseOutcome | undefined, after: Uint8Array[]) => {
      assert.ok(out)
      const rest = concat(after)
      return concat([out.initial, out.decrypt ? out.decrypt.processCopy(rest) : rest])
    }
    for (const chunks of cuts(toB)) {
      const rec = new MseReceiver({ findInfoHash: findAmong(INFO_HASH), allow: { plaintext: true, rc4: true }, random: seeded(2), ...recOpts }, () => undefined)
      let out: MseOutcome | undefined
      const after: Uint8Array[] = []
      for (const c of chunks) { if (out) after.push(c); else out = rec.receive(c) }
      assert.deepEqual(streamOf(out, after), concat([ia, tail]))
    }
    for (const chunks of cuts(toA)) {
      const ini = new MseInitiator({ infoHash: INFO_HASH, random: seeded(1), ...opts }, () => undefined)
      ini.start()
      let out: MseOutcome | undefined
      const after: Uint8Array[] = []
      for (const c of chunks) { if (out) after.push(c); else out = ini.receive(c) }
      assert.deepEqual(streamOf(out, after), tail)
    }
  })
}
