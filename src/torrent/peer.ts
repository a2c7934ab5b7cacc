import type { Wire } from '../wire/index.js'
import { Bitfield } from '../util/bitfield.js'
import type { PeerAddress } from '../transport/types.js'
import type { BlockRequest } from '../engine/picker.js'

/** One connected peer of one torrent: its wire plus our bookkeeping about it. */
export class Peer {
  /** pieces the peer has; undefined until we know the piece count (magnet before metadata) */
  have: Bitfield | undefined
  /** have-state that arrived before the metadata: replayed once the piece count is known */
  pending: { all?: boolean; bitfield?: Uint8Array; haves: number[] } = { haves: [] }
  /** requests we sent and are waiting for, keyed by `${index}:${offset}` */
  readonly requests = new Map<string, BlockRequest & { sentAt: number }>()
  /** how many requests we keep queued at this peer; adapts to its rate */
  queueDepth = 32
  /** requests the peer asked of us, served in order */
  readonly uploadQueue: BlockRequest[] = []
  /** pieces this peer lets us request while it chokes us (BEP 6 allowed fast) */
  readonly allowedFast = new Set<number>()
  /** pieces we let this peer request while we choke it (BEP 6 allowed fast) */
  allowedFastForThem: Set<number> | undefined
  /** the most requests the peer wants queued at once (`reqq`, BEP 10) */
  reqq = 250
  strikes = 0
  connectedAt: number
  /** last time a block arrived from this peer, for snub detection */
  lastBlockAt: number

  constructor(readonly wire: Wire, readonly address: PeerAddress, readonly id: string, now: number) {
    this.connectedAt = now
    this.lastBlockAt = now
  }

  get isSeed(): boolean {
    return this.have?.isFull() ?? this.pending.all === true
  }

  hasPiece(index: number): boolean {
    return this.have?.get(index) ?? false
  }

  /** Applies buffered have-state once the piece count is known. */
  materialize(pieceCount: number): Bitfield {
    const bf = this.pending.all ? (() => { const b = new Bitfield(pieceCount); b.setAll(); return b })()
      : this.pending.bitfield ? Bitfield.fromBytes(this.pending.bitfield, pieceCount) : new Bitfield(pieceCount)
    for (const i of this.pending.haves) if (i < pieceCount) bf.set(i)
    this.have = bf
    this.pending = { haves: [] }
    return bf
  }
}

export const requestKey = (index: number, offset: number): string => `${index}:${offset}`
