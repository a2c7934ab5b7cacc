import { MseInitiator, MseReceiver, type InitiatorOptions, type MseOutcome, type ReceiverOptions } from '../../src/transport/mse/handshake.js'
import { req2Hash } from '../../src/transport/mse/crypto.js'
import { toHex } from '../../src/util/bytes.js'

/** Deterministic random bytes (xorshift32), so handshakes repeat. */
export function seeded(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1
  return (n) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; out[i] = x & 0xff }
    return out
  }
}

export const INFO_HASH = Uint8Array.from({ length: 20 }, (_, i) => i + 1)
export const OTHER_HASH = Uint8Array.from({ length: 20 }, (_, i) => 200 - i)

export function findAmong(...hashes: Uint8Array[]): (req2: Uint8Array) => Uint8Array | undefined {
  const map = new Map(hashes.map((h) => [toHex(req2Hash(h)), h]))
  return (req2) => map.get(toHex(req2))
}

/** The bytes each side sent, in order, and the outcomes. */
export interface PairRun { aOut: MseOutcome | undefined; bOut: MseOutcome | undefined; aToB: Uint8Array[]; bToA: Uint8Array[] }

/** Runs our initiator against our receiver in memory. `splitA`/`splitB` cut each sent
 * message into the chunks the other side receives. */
export function runPair(a: Omit<InitiatorOptions, 'infoHash'> & { infoHash?: Uint8Array }, b: Partial<ReceiverOptions>, split: (bytes: Uint8Array) => Uint8Array[] = (x) => [x]): PairRun {
  const run: PairRun = { aOut: undefined, bOut: undefined, aToB: [], bToA: [] }
  const toB: Uint8Array[] = [], toA: Uint8Array[] = []
  const ini = new MseInitiator({ infoHash: INFO_HASH, random: seeded(1), ...a }, (x) => { run.aToB.push(x); toB.push(...split(x)) })
  const rec = new MseReceiver({
    findInfoHash: findAmong(INFO_HASH, OTHER_HASH), allow: { plaintext: true, rc4: true }, prefer: 'plaintext', random: seeded(2), ...b,
  }, (x) => { run.bToA.push(x); toA.push(...split(x)) })
  ini.start()
  for (let guard = 0; guard < 100_000 && (toA.length || toB.length); guard++) {
    const c = toB.shift()
    if (c) { const o = rec.receive(c); if (o) run.bOut = o }
    const d = toA.shift()
    if (d) { const o = ini.receive(d); if (o) run.aOut = o }
  }
  return run
}
