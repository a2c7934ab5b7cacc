/** The requests a peer asked of us, in order, each at most once: a peer repeating a
 * request already queued gets nothing more (10,000 requests for one block must not send
 * 10,000 copies). */
import type { BlockRequest } from '../engine/block-request.js'

const keyOf = (r: BlockRequest): string => `${r.index}:${r.offset}:${r.length}`

export class UploadQueue {
  #list: BlockRequest[] = []
  readonly #keys = new Set<string>()

  get length(): number { return this.#list.length }
  get head(): BlockRequest | undefined { return this.#list[0] }

  /** False when the same request is queued already. */
  push(r: BlockRequest): boolean {
    const key = keyOf(r)
    if (this.#keys.has(key)) return false
    this.#keys.add(key)
    this.#list.push(r)
    return true
  }

  shift(): BlockRequest | undefined {
    const r = this.#list.shift()
    if (r) this.#keys.delete(keyOf(r))
    return r
  }

  /** Removes a queued request (not the head, which may be on its way); true when found. */
  cancel(r: BlockRequest): boolean {
    const key = keyOf(r)
    if (!this.#keys.has(key)) return false
    const i = this.#list.findIndex((q) => keyOf(q) === key)
    if (i <= 0) return false
    this.#list.splice(i, 1)
    this.#keys.delete(key)
    return true
  }

  /** Empties the queue, keeping the requests `keep` says yes to; returns the others. */
  drain(keep: (r: BlockRequest) => boolean): BlockRequest[] {
    const out: BlockRequest[] = []
    const kept: BlockRequest[] = []
    for (const r of this.#list) (keep(r) ? kept : out).push(r)
    this.#list = kept
    for (const r of out) this.#keys.delete(keyOf(r))
    return out
  }
}
