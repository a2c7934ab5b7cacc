import type { ListedPeer, ScrapeCounts } from './types.js'

/** One swarm's peers. Local peers (announced to this process) are kept in two sets:
 * "classic" (HTTP/UDP, listed as addresses) and WebSocket (reachable only through their
 * socket, used for offer relay). Other tracker processes of a cluster contribute `remote`
 * classic peers (listed too) and a summary of their counts per origin; see cluster/. Peers
 * live in arrays with their slot index, so random picks and removals are O(1) (swap-remove),
 * and in Maps keyed by peer id for lookups. */

interface PeerBase {
  peerId: string
  seeder: boolean
  slot: number
}
export interface ClassicPeer extends PeerBase, ListedPeer {
  kind: 'http' | 'udp'
  lastSeen: number
}
export interface WsPeer<H> extends PeerBase {
  handle: H
  lastSeen: number
}
/** A classic peer announced to another process of the cluster. */
export interface RemotePeer extends PeerBase, ListedPeer {
  origin: string
  /** when we last told the origin that the peer announced here too (ms) */
  touched: number
}
/** What another process has of a swarm: counts over all its peers, and how many of them are
 * WebSocket peers (offers are forwarded there in proportion). */
export interface OriginSummary extends ScrapeCounts { ws: number }

export class PeerSet<P extends PeerBase> {
  readonly list: P[] = []
  readonly byId = new Map<string, P>()
  add(p: P): void { p.slot = this.list.length; this.list.push(p); this.byId.set(p.peerId, p) }
  remove(p: P): void {
    const last = this.list.pop()!
    if (last !== p) { last.slot = p.slot; this.list[p.slot] = last }
    this.byId.delete(p.peerId)
  }
  get size(): number { return this.list.length }
}

export class Swarm<H> {
  readonly classic = new PeerSet<ClassicPeer>()
  readonly ws = new PeerSet<WsPeer<H>>()
  readonly remote = new PeerSet<RemotePeer>()
  /** per origin; undefined until a remote process reports this swarm */
  summaries: Map<string, OriginSummary> | undefined
  /** local counts */
  complete = 0
  incomplete = 0
  downloaded = 0
  /** sums over `summaries` */
  readonly others: OriginSummary = { complete: 0, incomplete: 0, downloaded: 0, ws: 0 }

  /** local peers */
  get size(): number { return this.classic.size + this.ws.size }
  get empty(): boolean { return this.size === 0 && this.remote.size === 0 && (this.summaries?.size ?? 0) === 0 }

  /** counts across the cluster */
  counts(): ScrapeCounts {
    return { complete: this.complete + this.others.complete, incomplete: this.incomplete + this.others.incomplete, downloaded: this.downloaded + this.others.downloaded }
  }

  /** Replaces (or with `undefined` removes) one origin's summary. */
  setSummary(origin: string, s: OriginSummary | undefined): void {
    const prev = this.summaries?.get(origin)
    if (prev) this.#add(prev, -1)
    if (s) { (this.summaries ??= new Map()).set(origin, s); this.#add(s, 1) }
    else this.summaries?.delete(origin)
  }

  #add(s: OriginSummary, sign: 1 | -1): void {
    this.others.complete += sign * s.complete; this.others.incomplete += sign * s.incomplete
    this.others.downloaded += sign * s.downloaded; this.others.ws += sign * s.ws
  }
}
