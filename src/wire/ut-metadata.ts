/** BEP 9 (ut_metadata): fetch the info dictionary from a peer when all we have is the info
 * hash (a magnet link), and serve it to peers once we have it. The metadata moves in 16 KiB
 * pieces inside BEP 10 extension messages; a fetched copy counts only if its SHA-1 is the
 * info hash. A peer that lies (absurd size, pieces we never asked for, wrong lengths, bad
 * hash) is dropped. */
import { decodePrefix, encode, getInt, isDict, type BDict, type Encodable } from '../bencode/index.js'
import { concat, equalBytes } from '../util/bytes.js'
import { Emitter } from '../util/emitter.js'
import { sha1 } from '../util/sha1.js'
import { WireError } from './errors.js'
import type { WireExtension } from './extension.js'
import type { Wire } from './wire.js'

export const METADATA_PIECE_SIZE = 16 * 1024
const REQUEST = 0, DATA = 1, REJECT = 2

export interface UtMetadataOptions {
  wire: Wire
  infoHash: Uint8Array
  /** Largest metadata we accept from a peer. Default 8 MiB. */
  maxMetadataSize?: number
  /** The verified info dictionary, once we have it; we serve it and advertise its size. */
  getMetadata?: () => Uint8Array | undefined
}

export type UtMetadataEvents = {
  /** The info dictionary, verified against the info hash. */
  metadata: [info: Uint8Array]
  /** This peer will not give us the metadata (rejected, lied, or went away). */
  failed: [error: Error]
}

/** Use: `const ut = new UtMetadata({ wire, infoHash }); wire.use(ut)` before the handshake,
 * then `ut.fetch()` when the metadata is wanted. */
export class UtMetadata extends Emitter<UtMetadataEvents> implements WireExtension {
  readonly name = 'ut_metadata'
  readonly #wire: Wire
  readonly #infoHash: Uint8Array
  readonly #maxSize: number
  readonly #getMetadata: () => Uint8Array | undefined
  #wanted = false
  #finished = false
  /** metadata_size from the peer's latest extension handshake */
  #peerSize: number | undefined
  #fetch: { size: number; pieces: (Uint8Array | undefined)[]; outstanding: Set<number> } | undefined
  #served = 0

  constructor(opts: UtMetadataOptions) {
    super()
    this.#wire = opts.wire
    this.#infoHash = opts.infoHash
    this.#maxSize = opts.maxMetadataSize ?? 8 * 1024 * 1024
    this.#getMetadata = opts.getMetadata ?? (() => undefined)
    this.#wire.on('close', () => this.#fail(new WireError('connection closed before the metadata arrived', 'extension'), false))
  }

  /** The peer speaks ut_metadata and told us how big the metadata is. */
  get peerHasMetadata(): boolean {
    return this.#wire.peerSupportsExtension(this.name) && this.#peerSize !== undefined
  }

  /** Asks the peer for the metadata, now or as soon as its extension handshake says it
   * has it. Calling it again does nothing; one peer gets one attempt. */
  fetch(): void {
    if (this.#wanted) return
    this.#wanted = true
    this.#maybeStart()
  }

  extendHandshake(): Record<string, Encodable> {
    const metadata = this.#getMetadata()
    return metadata ? { metadata_size: metadata.length } : {}
  }

  onHandshake(handshake: BDict): void {
    const size = getInt(handshake, 'metadata_size')
    if (size !== undefined) this.#peerSize = size
    this.#maybeStart()
  }

  onMessage(payload: Uint8Array): void {
    let dict: BDict, end: number
    try {
      const decoded = decodePrefix(payload, 0, { maxDepth: 4, maxTokens: 64 })
      if (!isDict(decoded.value)) throw new Error('not a dictionary')
      dict = decoded.value
      end = decoded.end
    } catch (e) {
      throw new WireError(`bad ut_metadata message: ${e instanceof Error ? e.message : String(e)}`, 'malformed')
    }
    const type = getInt(dict, 'msg_type'), piece = getInt(dict, 'piece')
    if (type === undefined || piece === undefined) throw new WireError('ut_metadata message without msg_type or piece', 'malformed')
    if (type === REQUEST) this.#answer(piece)
    else if (type === DATA) this.#onData(piece, getInt(dict, 'total_size'), payload.subarray(end))
    else if (type === REJECT) this.#onReject(piece)
    // other types: ignored, as BEP 9 asks
  }

  #send(message: Record<string, Encodable>, data?: Uint8Array): void {
    const head = encode(message)
    this.#wire.extended(this.name, data ? concat([head, data]) : head)
  }

  /** Serve a piece if we have the metadata; a peer asking far more often than it could
   * need is flooding, and gets rejects (BEP 9 allows this). */
  #answer(piece: number): void {
    const metadata = this.#getMetadata()
    const count = metadata ? Math.ceil(metadata.length / METADATA_PIECE_SIZE) : 0
    if (!metadata || piece < 0 || piece >= count || this.#served >= count * 4) {
      this.#send({ msg_type: REJECT, piece })
      return
    }
    this.#served++
    const start = piece * METADATA_PIECE_SIZE
    this.#send({ msg_type: DATA, piece, total_size: metadata.length },
      metadata.subarray(start, Math.min(metadata.length, start + METADATA_PIECE_SIZE)))
  }

  #maybeStart(): void {
    if (!this.#wanted || this.#fetch || this.#finished) return
    if (!this.#wire.peerSupportsExtension(this.name) || this.#peerSize === undefined) return
    const size = this.#peerSize
    if (!Number.isSafeInteger(size) || size <= 0 || size > this.#maxSize) {
      this.#fail(new WireError(`peer claims metadata of ${size} bytes (limit ${this.#maxSize})`, 'extension'), true)
      return
    }
    const count = Math.ceil(size / METADATA_PIECE_SIZE)
    this.#fetch = { size, pieces: new Array<Uint8Array | undefined>(count), outstanding: new Set() }
    for (let i = 0; i < count; i++) {
      this.#fetch.outstanding.add(i)
      this.#send({ msg_type: REQUEST, piece: i })
    }
  }

  #onData(piece: number, totalSize: number | undefined, data: Uint8Array): void {
    const f = this.#fetch
    if (!f) {
      if (this.#finished) return // a late answer after we finished or gave up
      throw new WireError(`metadata piece ${piece} sent without a request`, 'extension')
    }
    if (!f.outstanding.has(piece)) {
      this.#fail(new WireError(`unrequested metadata piece ${piece}`, 'extension'), true)
      return
    }
    if (totalSize !== f.size) {
      this.#fail(new WireError(`metadata total_size ${totalSize} differs from the advertised ${f.size}`, 'extension'), true)
      return
    }
    const expected = Math.min(METADATA_PIECE_SIZE, f.size - piece * METADATA_PIECE_SIZE)
    if (data.length !== expected) {
      this.#fail(new WireError(`metadata piece ${piece} has ${data.length} bytes, expected ${expected}`, 'extension'), true)
      return
    }
    f.pieces[piece] = data
    f.outstanding.delete(piece)
    if (f.outstanding.size > 0) return
    const info = concat(f.pieces as Uint8Array[], f.size)
    if (!equalBytes(sha1(info), this.#infoHash)) {
      this.#fail(new WireError('metadata from peer does not match the info hash', 'extension'), true)
      return
    }
    this.#finished = true
    this.#fetch = undefined
    this.emit('metadata', info)
  }

  #onReject(piece: number): void {
    if (this.#fetch?.outstanding.has(piece)) {
      this.#fail(new WireError(`peer rejected metadata piece ${piece}`, 'extension'), false)
    }
  }

  /** Gives up on this peer; a peer that lied is also disconnected. */
  #fail(err: Error, drop: boolean): void {
    if (!this.#wanted || this.#finished) return
    this.#finished = true
    this.#fetch = undefined
    this.emit('failed', err)
    if (drop) this.#wire.destroy(err)
  }
}
