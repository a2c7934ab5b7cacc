/** The MSE/PE handshake as two pure state machines, one per role: bytes in through
 * `receive()`, bytes out through the `send` callback, and at the end an outcome (the method
 * chosen, the ciphers, the stream bytes already read). Randomness is injected so tests
 * repeat. Every field a peer controls is bounded (pads at most 512 bytes, sync scans at most
 * 512 bytes past the key), so a hostile peer costs at most ~67 KiB and one modpow.
 *
 *   1 A→B  Ya, PadA
 *   2 B→A  Yb, PadB
 *   3 A→B  HASH('req1',S), HASH('req2',SKEY)^HASH('req3',S),
 *          RC4A(VC, crypto_provide, len(PadC), PadC, len(IA), IA)
 *   4 B→A  RC4B(VC, crypto_select, len(PadD), PadD), then the stream in the chosen method */
import { randomBytes } from '../../util/bytes.js'
import { ByteQueue } from './byte-queue.js'
import {
  CRYPTO_PLAINTEXT, CRYPTO_RC4, KEY_BYTES, MAX_PAD, PRIVATE_KEY_BYTES, VC,
  publicKey, rc4Pair, req1Hash, req2Hash, req3Hash, sharedSecret, xor,
} from './crypto.js'
import type { Rc4 } from './rc4.js'

export type MseMethod = 'plaintext' | 'rc4'

export class MseError extends Error {
  override name = 'MseError'
}

export interface MseOutcome {
  method: MseMethod
  /** the torrent the connection is for (the SKEY) */
  infoHash: Uint8Array
  /** deciphers what the peer sends next (RC4 only) */
  decrypt: Rc4 | undefined
  /** enciphers what we send next (RC4 only) */
  encrypt: Rc4 | undefined
  /** stream bytes that came with the handshake (the IA first), already deciphered */
  initial: Uint8Array
}

export interface MseRandom {
  /** random bytes for keys and pads (default: crypto.getRandomValues) */
  random?: (n: number) => Uint8Array
  /** the length of the next pad, 0..512 (default: random) */
  padLength?: () => number
}

/** Largest IA the 16-bit length allows. */
const MAX_IA = 0xffff

function pad(opts: MseRandom): Uint8Array {
  const random = opts.random ?? randomBytes
  const r = random(2)
  const len = opts.padLength ? opts.padLength() : ((r[0]! << 8) | r[1]!) % (MAX_PAD + 1)
  if (!(len >= 0 && len <= MAX_PAD)) throw new RangeError(`pad length ${len} out of range`)
  return random(len)
}

function u32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0
}
const u16 = (b: Uint8Array, off: number): number => (b[off]! << 8) | b[off + 1]!

/** VC, a 4-byte crypto field, len(pad), pad (and for step 3: len(IA), IA). */
function cryptoFields(crypto: number, padBytes: Uint8Array, ia?: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + 2 + padBytes.length + (ia ? 2 + ia.length : 0))
  out.set(VC, 0)
  out[11] = crypto & 0xff
  out[10] = (crypto >>> 8) & 0xff
  out[12] = padBytes.length >>> 8
  out[13] = padBytes.length & 0xff
  out.set(padBytes, 14)
  if (ia) {
    const at = 14 + padBytes.length
    out[at] = ia.length >>> 8
    out[at + 1] = ia.length & 0xff
    out.set(ia, at + 2)
  }
  return out
}

const methodOf = (bit: number): MseMethod => (bit === CRYPTO_RC4 ? 'rc4' : 'plaintext')

export interface InitiatorOptions extends MseRandom {
  infoHash: Uint8Array
  /** crypto_provide: CRYPTO_PLAINTEXT | CRYPTO_RC4 bits we accept */
  provide: number
  /** initial payload sent inside step 3 (default none: the stream starts after step 4) */
  ia?: Uint8Array
}

/** Side A: the peer that dialed. `start()` gives step 1; `receive()` the rest. */
export class MseInitiator {
  readonly #opts: InitiatorOptions
  readonly #x: Uint8Array
  readonly #in = new ByteQueue()
  readonly #send: (bytes: Uint8Array) => void
  #state: 'yb' | 'vc' | 'select' | 'padD' | 'done' = 'yb'
  #decrypt: Rc4 | undefined
  #encrypt: Rc4 | undefined
  #vcPattern: Uint8Array | undefined
  #selected = 0
  #padD = 0

  constructor(opts: InitiatorOptions, send: (bytes: Uint8Array) => void) {
    if ((opts.provide & ~(CRYPTO_PLAINTEXT | CRYPTO_RC4)) !== 0 || opts.provide === 0) throw new RangeError('bad crypto_provide')
    this.#opts = opts
    this.#x = (opts.random ?? randomBytes)(PRIVATE_KEY_BYTES)
    this.#send = send
  }

  /** Step 1: Ya and PadA. */
  start(): void {
    const ya = publicKey(this.#x)
    const p = pad(this.#opts)
    const out = new Uint8Array(KEY_BYTES + p.length)
    out.set(ya); out.set(p, KEY_BYTES)
    this.#send(out)
  }

  /** Feeds bytes from the peer; returns the outcome once step 4 is read. Throws MseError. */
  receive(chunk: Uint8Array): MseOutcome | undefined {
    if (this.#state === 'done') throw new MseError('handshake already finished')
    this.#in.push(chunk)
    const q = this.#in
    if (this.#state === 'yb') {
      if (q.length < KEY_BYTES) return undefined
      const s = sharedSecret(q.take(KEY_BYTES), this.#x)
      if (!s) throw new MseError('peer sent an invalid public key')
      const skey = this.#opts.infoHash
      const { a, b } = rc4Pair(s, skey)
      this.#encrypt = a
      this.#decrypt = b
      // B's VC enciphered is B's first 8 keystream bytes: found by scanning past PadB
      this.#vcPattern = b.processCopy(VC)
      const fields = a.processCopy(cryptoFields(this.#opts.provide, pad(this.#opts), this.#opts.ia ?? new Uint8Array(0)))
      const head = new Uint8Array(40 + fields.length)
      head.set(req1Hash(s), 0)
      head.set(xor(req2Hash(skey), req3Hash(s)), 20)
      head.set(fields, 40)
      this.#send(head)
      this.#state = 'vc'
    }
    if (this.#state === 'vc') {
      const at = q.indexOf(this.#vcPattern!, MAX_PAD)
      if (at < 0) {
        if (q.length >= MAX_PAD + VC.length) throw new MseError('no verification constant within 512 bytes of Yb')
        return undefined
      }
      q.skip(at + VC.length)
      this.#state = 'select'
    }
    if (this.#state === 'select') {
      if (q.length < 6) return undefined
      const f = q.take(6)
      this.#decrypt!.process(f)
      const select = u32(f, 0)
      if (select !== CRYPTO_PLAINTEXT && select !== CRYPTO_RC4) throw new MseError(`crypto_select ${select} is not one method`)
      if ((select & this.#opts.provide) === 0) throw new MseError(`crypto_select ${select} was not offered`)
      this.#selected = select
      this.#padD = u16(f, 4)
      if (this.#padD > MAX_PAD) throw new MseError(`PadD of ${this.#padD} bytes`)
      this.#state = 'padD'
    }
    if (this.#state === 'padD') {
      if (q.length < this.#padD) return undefined
      this.#decrypt!.process(q.take(this.#padD))
      this.#state = 'done'
      const rc4 = this.#selected === CRYPTO_RC4
      const initial = q.take(q.length)
      if (rc4) this.#decrypt!.process(initial)
      return {
        method: methodOf(this.#selected), infoHash: this.#opts.infoHash, initial,
        decrypt: rc4 ? this.#decrypt : undefined, encrypt: rc4 ? this.#encrypt : undefined,
      }
    }
    return undefined
  }
}

export interface ReceiverOptions extends MseRandom {
  /** the info hash whose HASH('req2', info hash) this is, if it is one of ours */
  findInfoHash(req2: Uint8Array): Uint8Array | undefined
  /** methods we accept */
  allow: { plaintext: boolean; rc4: boolean }
  /** when the peer offers both: plaintext costs no CPU, RC4 hides the stream */
  prefer: MseMethod
}

/** Side B: the peer that was dialed, once the first bytes showed no plaintext handshake. */
export class MseReceiver {
  readonly #opts: ReceiverOptions
  readonly #y: Uint8Array
  readonly #in = new ByteQueue()
  readonly #send: (bytes: Uint8Array) => void
  #state: 'ya' | 'req1' | 'req2' | 'provide' | 'padC' | 'ia' | 'done' = 'ya'
  #s: Uint8Array | undefined
  #req1: Uint8Array | undefined
  #infoHash: Uint8Array | undefined
  #decrypt: Rc4 | undefined
  #encrypt: Rc4 | undefined
  #selected = 0
  #padC = 0
  #ia = 0

  constructor(opts: ReceiverOptions, send: (bytes: Uint8Array) => void) {
    this.#opts = opts
    this.#y = (opts.random ?? randomBytes)(PRIVATE_KEY_BYTES)
    this.#send = send
  }

  receive(chunk: Uint8Array): MseOutcome | undefined {
    if (this.#state === 'done') throw new MseError('handshake already finished')
    this.#in.push(chunk)
    const q = this.#in
    if (this.#state === 'ya') {
      if (q.length < KEY_BYTES) return undefined
      const s = sharedSecret(q.take(KEY_BYTES), this.#y)
      if (!s) throw new MseError('peer sent an invalid public key')
      this.#s = s
      this.#req1 = req1Hash(s)
      const yb = publicKey(this.#y)
      const p = pad(this.#opts)
      const out = new Uint8Array(KEY_BYTES + p.length)
      out.set(yb); out.set(p, KEY_BYTES)
      this.#send(out)
      this.#state = 'req1'
    }
    if (this.#state === 'req1') {
      const at = q.indexOf(this.#req1!, MAX_PAD)
      if (at < 0) {
        if (q.length >= MAX_PAD + 20) throw new MseError('no HASH(req1, S) within 512 bytes of Ya')
        return undefined
      }
      q.skip(at + 20)
      this.#state = 'req2'
    }
    if (this.#state === 'req2') {
      if (q.length < 20) return undefined
      const req2 = xor(q.take(20), req3Hash(this.#s!))
      const infoHash = this.#opts.findInfoHash(req2)
      if (!infoHash || infoHash.length !== 20) throw new MseError('peer asked for a torrent we do not have')
      this.#infoHash = infoHash
      const { a, b } = rc4Pair(this.#s!, infoHash)
      this.#decrypt = a
      this.#encrypt = b
      this.#state = 'provide'
    }
    if (this.#state === 'provide') {
      if (q.length < 14) return undefined
      const f = q.take(14)
      this.#decrypt!.process(f)
      for (let i = 0; i < 8; i++) if (f[i] !== 0) throw new MseError('bad verification constant')
      const provide = u32(f, 8)
      this.#padC = u16(f, 12)
      if (this.#padC > MAX_PAD) throw new MseError(`PadC of ${this.#padC} bytes`)
      this.#selected = this.#choose(provide)
      this.#send(this.#encrypt!.processCopy(cryptoFields(this.#selected, pad(this.#opts))))
      this.#state = 'padC'
    }
    if (this.#state === 'padC') {
      if (q.length < this.#padC + 2) return undefined
      const f = q.take(this.#padC + 2)
      this.#decrypt!.process(f)
      this.#ia = u16(f, this.#padC)
      if (this.#ia > MAX_IA) throw new MseError('IA too long')
      this.#state = 'ia'
    }
    if (this.#state === 'ia') {
      if (q.length < this.#ia) return undefined
      this.#state = 'done'
      const rc4 = this.#selected === CRYPTO_RC4
      // the IA is always under RC4; what follows it only when RC4 was chosen
      const ia = q.take(this.#ia)
      this.#decrypt!.process(ia)
      const rest = q.take(q.length)
      if (rc4) this.#decrypt!.process(rest)
      const initial = new Uint8Array(ia.length + rest.length)
      initial.set(ia); initial.set(rest, ia.length)
      return {
        method: methodOf(this.#selected), infoHash: this.#infoHash!, initial,
        decrypt: rc4 ? this.#decrypt : undefined, encrypt: rc4 ? this.#encrypt : undefined,
      }
    }
    return undefined
  }

  #choose(provide: number): number {
    const { allow, prefer } = this.#opts
    const plain = allow.plaintext && (provide & CRYPTO_PLAINTEXT) !== 0
    const rc4 = allow.rc4 && (provide & CRYPTO_RC4) !== 0
    if (plain && rc4) return prefer === 'rc4' ? CRYPTO_RC4 : CRYPTO_PLAINTEXT
    if (rc4) return CRYPTO_RC4
    if (plain) return CRYPTO_PLAINTEXT
    throw new MseError(`no method in common (peer provides ${provide})`)
  }
}
