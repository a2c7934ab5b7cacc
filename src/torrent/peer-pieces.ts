/** What one peer has. A piece map (bitfield, have_all, have_none) may come at any point and
 * more than once, each replacing the last, as real clients send them (libtorrent's rule);
 * `have` adds one piece. Before the metadata the piece count is unknown, so what arrives is
 * kept aside and applied once it is known. */
import { Bitfield } from '../util/bitfield.js'

/** A piece set: every piece (a seed or have_all, counted once by the picker), or a bitfield. */
export type PieceSet = { all: true } | { all: false; bits: Bitfield }

/** What changed: the picker's availability moves from `before` to `after`. */
export type PieceChange =
  | { kind: 'replace'; before: PieceSet | undefined; after: PieceSet }
  | { kind: 'have'; index: number }

/** the most `have`s kept for a peer before the piece count is known */
const MAX_EARLY_HAVES = 100_000

export class PeerPieces {
  #count: number | undefined
  #set: PieceSet | undefined
  /** before the piece count: the last piece map, and the haves after it */
  #early: { map?: { all: boolean; bytes?: Uint8Array }; haves: number[] } = { haves: [] }

  get known(): boolean { return this.#set !== undefined }
  get set(): PieceSet | undefined { return this.#set }
  get isSeed(): boolean {
    const s = this.#set
    if (s) return s.all || s.bits.isFull()
    return this.#early.map?.all === true
  }

  has(index: number): boolean {
    const s = this.#set
    return s !== undefined && (s.all ? index >= 0 && index < (this.#count ?? 0) : s.bits.get(index))
  }

  /** The piece count became known: the early piece map and haves are applied. */
  setPieceCount(count: number): PieceChange | undefined {
    if (this.#count !== undefined) return undefined
    this.#count = count
    const { map, haves } = this.#early
    this.#early = { haves: [] }
    if (!map && haves.length === 0) return undefined
    let set: PieceSet
    if (map?.all) set = { all: true }
    else {
      const bits = map?.bytes ? Bitfield.fromBytes(map.bytes, count) : new Bitfield(count)
      for (const i of haves) if (i < count) bits.set(i)
      set = { all: false, bits }
    }
    return this.#replace(set)
  }

  /** A bitfield; throws when it is too short for the torrent. */
  onBitfield(bytes: Uint8Array): PieceChange | undefined {
    if (this.#count === undefined) { this.#early = { map: { all: false, bytes: bytes.slice() }, haves: [] }; return undefined }
    return this.#replace({ all: false, bits: Bitfield.fromBytes(bytes, this.#count) })
  }

  onHaveAll(): PieceChange | undefined {
    if (this.#count === undefined) { this.#early = { map: { all: true }, haves: [] }; return undefined }
    return this.#replace({ all: true })
  }

  onHaveNone(): PieceChange | undefined {
    if (this.#count === undefined) { this.#early = { map: { all: false }, haves: [] }; return undefined }
    return this.#replace({ all: false, bits: new Bitfield(this.#count) })
  }

  /** One more piece; undefined when it changes nothing (known already, out of range). */
  onHave(index: number): PieceChange | undefined {
    if (this.#count === undefined) {
      if (this.#early.map?.all !== true && this.#early.haves.length < MAX_EARLY_HAVES) this.#early.haves.push(index)
      return undefined
    }
    if (!Number.isInteger(index) || index < 0 || index >= this.#count) return undefined
    const s = this.#set ?? this.#replaceQuiet({ all: false, bits: new Bitfield(this.#count) })
    if (s.all || s.bits.get(index)) return undefined
    s.bits.set(index)
    return { kind: 'have', index }
  }

  #replace(after: PieceSet): PieceChange {
    const before = this.#set
    this.#set = after
    return { kind: 'replace', before, after }
  }

  /** a have with no piece map before it: an empty map, which the picker counts as nothing */
  #replaceQuiet(after: PieceSet & { all: false }): PieceSet & { all: false } {
    this.#set = after
    return after
  }
}
