/** What each peer should have in flight, computed from the picker, the peer's view and the
 * clock; the torrent applies the difference (requests out, cancels out) and nothing else
 * decides what to request. Pure: no I/O; the picker holds the in-flight state.
 *
 * Rules, and why:
 * - A choked peer gets requests only for its allowed-fast pieces (BEP 6).
 * - Requests go out in batches: a peer is topped up once half its queue is answered, so one
 *   socket write carries many requests (on loopback a write costs more than a request).
 *   A priority change (a stream reader moved) skips the batching: it is urgent.
 * - After a priority change, requests for pieces no longer wanted (a deselected file, a
 *   reader gone from a skipped file) are cancelled.
 * - Critical blocks (a reader waits) skip the batching, and when they find the queue full
 *   (a seek, or a queue filled with allowed-fast pieces before the unchoke), the newest
 *   requests of lower priority make room for them (cancelled, back to the pool): otherwise
 *   a seek would wait behind a second of old readahead.
 * - A request unanswered for `requestTimeoutMs` goes back to the pool.
 * - A critical block (a reader waits on it) unanswered for `lateMs` is asked of one more
 *   unchoked peer that has it; the first copy wins (the picker names the others to cancel).
 * - Endgame (every wanted block requested) lives in the picker's pick.
 * - A download limit is a budget of bytes: a block is requested only when the budget has
 *   room for it, so what peers send us (what we asked for) follows the limit. The pump
 *   runs again on every block in and once a second, when the budget has refilled. */
import { PRIORITY_CRITICAL, PRIORITY_SKIP, type BlockRequest, type InFlightRequest, type PiecePicker } from './picker.js'

export interface PlannerPeer {
  id: string
  has(index: number): boolean
  isSeed: boolean
  /** the peer chokes us */
  choked: boolean
  allowedFast: ReadonlySet<number>
  /** how many requests to keep queued at this peer */
  depth: number
}

export interface PeerPlan {
  cancel: InFlightRequest[]
  request: BlockRequest[]
}

export interface PlannerOptions {
  requestTimeoutMs?: number
  lateMs?: number
  /** bytes we may ask for now (a download limit, util/token-bucket.ts) */
  budget?: RequestBudget | undefined
}

/** How many bytes may be requested now, and paying for the ones requested. */
export interface RequestBudget {
  available(): number
  spend(bytes: number): void
}

/** How many requests to keep queued at a peer: about a second of data at its rate, within
 * what it accepts (`reqq`) and our cap. */
export function queueDepth(bytesPerSecond: number, reqq: number, blockSize = 16384): number {
  return Math.max(16, Math.min(reqq, 500, Math.ceil(bytesPerSecond / blockSize)))
}

const BLOCK_SIZE = 16384

export class RequestPlanner {
  readonly #timeoutMs: number
  readonly #lateMs: number
  /** bumped on every priority change; a peer's in-flight list is checked once per epoch */
  #epoch = 0
  readonly #checked = new Map<string, number>()
  readonly #budget: RequestBudget | undefined

  constructor(private readonly picker: PiecePicker, opts: PlannerOptions = {}) {
    this.#timeoutMs = opts.requestTimeoutMs ?? 30_000
    this.#lateMs = opts.lateMs ?? 2000
    this.#budget = opts.budget
  }

  /** Piece priorities changed: the next plan of each peer looks for unwanted requests. */
  prioritiesChanged(): void { this.#epoch++ }

  /** `urgent` skips the batching; `diskHasRoom` false (too much data waiting for the disk) asks for nothing new. */
  plan(peer: PlannerPeer, now: number, urgent: boolean, diskHasRoom = true): PeerPlan {
    const plan: PeerPlan = { cancel: this.#unwanted(peer), request: [] }
    const { picker } = this
    if (!diskHasRoom || (peer.choked && peer.allowedFast.size === 0)) return plan
    const inFlight = picker.inFlightCount(peer.id)
    let allowance = this.#budgetBlocks()
    if (allowance <= 0) return plan
    if (peer.choked) {
      if (urgent || inFlight <= peer.depth / 2) plan.request = picker.pickAmong(peer, peer.allowedFast, Math.min(peer.depth - inFlight, allowance), now)
      return this.#spend(plan)
    }
    let room = peer.depth - inFlight
    // free critical blocks (a reader waits on them) go out now, batching or not
    if (picker.wants(PRIORITY_CRITICAL)) {
      plan.request = picker.pick(peer, Math.min(Math.ceil(peer.depth / 2), allowance), now, PRIORITY_CRITICAL)
      if (plan.request.length > room) plan.cancel.push(...this.#makeRoom(peer.id, plan.request.length - room))
      room -= plan.request.length
      allowance -= plan.request.length
    }
    if (!urgent && inFlight > peer.depth / 2) return this.#spend(plan)
    const n = Math.min(room, allowance)
    if (n > 0) plan.request.push(...picker.pick(peer, n, now))
    return this.#spend(plan)
  }

  /** Blocks the download budget has room for (at least one while anything is left). */
  #budgetBlocks(): number {
    if (!this.#budget) return Infinity
    const bytes = this.#budget.available()
    return bytes === Infinity ? Infinity : Math.ceil(bytes / BLOCK_SIZE)
  }

  #spend(plan: PeerPlan): PeerPlan {
    if (this.#budget && plan.request.length > 0) this.#budget.spend(plan.request.reduce((n, r) => n + r.length, 0))
    return plan
  }

  /** Releases the peer's `n` newest requests below critical priority. */
  #makeRoom(peerId: string, n: number): InFlightRequest[] {
    const { picker } = this
    const lower = [...picker.inFlight(peerId)].filter((r) => picker.priority(r.index) < PRIORITY_CRITICAL)
    const out = lower.slice(Math.max(0, lower.length - n))
    for (const r of out) picker.onRequestDropped(r.index, r.offset, peerId)
    return out
  }

  /** The peer's requests older than the timeout, released to the pool. */
  expire(peerId: string, now: number): InFlightRequest[] {
    const old: InFlightRequest[] = []
    for (const r of this.picker.inFlight(peerId)) {
      if (now - r.sentAt < this.#timeoutMs) break // oldest first: the rest are younger
      old.push(r)
    }
    for (const r of old) this.picker.onRequestDropped(r.index, r.offset, peerId)
    return old
  }

  /** Late critical blocks, each asked of one more peer: returns who gets which request. */
  hurry(peers: readonly PlannerPeer[], now: number): { peer: PlannerPeer; request: BlockRequest }[] {
    const { picker } = this
    const out: { peer: PlannerPeer; request: BlockRequest }[] = []
    for (const peer of peers) {
      const late: InFlightRequest[] = []
      for (const r of picker.inFlight(peer.id)) {
        if (now - r.sentAt < this.#lateMs) break
        if (picker.priority(r.index) === PRIORITY_CRITICAL && picker.inFlightPeers(r.index, r.offset).length === 1) late.push(r)
      }
      for (const r of late) {
        const other = peers.find((p) => p !== peer && !p.choked && p.has(r.index) &&
          picker.inFlightCount(p.id) < p.depth + 16 && picker.requestAgain(r.index, r.offset, p.id, now))
        if (other) out.push({ peer: other, request: { index: r.index, offset: r.offset, length: r.length } })
      }
    }
    return out
  }

  /** A peer left: forget its bookkeeping (the picker releases its requests). */
  forget(peerId: string): void {
    this.#checked.delete(peerId)
    this.picker.onPeerGone(peerId)
  }

  #unwanted(peer: PlannerPeer): InFlightRequest[] {
    if (this.#checked.get(peer.id) === this.#epoch) return []
    this.#checked.set(peer.id, this.#epoch)
    const { picker } = this
    const out: InFlightRequest[] = []
    for (const r of picker.inFlight(peer.id)) if (picker.priority(r.index) === PRIORITY_SKIP || picker.has(r.index)) out.push(r)
    for (const r of out) picker.onRequestDropped(r.index, r.offset, peer.id)
    return out
  }
}
