/** Iterative lookup (BEP 5, Kademlia): ask the closest known nodes, alpha at a time, for
 * nodes closer to the target (and, for get_peers, peers); stop when the k closest nodes
 * that are still candidates have all answered. A query silent for `slowMs` stops holding
 * its slot (its answer still counts); one that times out drops out. Bounded: candidates,
 * queries, nodes taken per answer and peers collected all have caps. */
import { toHex } from '../../util/bytes.js'
import { compareDistance } from './node-id.js'
import { addressKey, type Contact, type DhtTimers, type PeerAddress } from './types.js'

export interface LookupReply {
  /** the id the node answered with */
  id: Uint8Array
  nodes: Contact[]
  peers?: PeerAddress[]
  token?: Uint8Array
}

export interface LookupOptions {
  target: Uint8Array
  seeds: readonly Contact[]
  query(c: Contact, signal: AbortSignal): Promise<LookupReply>
  k: number
  alpha: number
  slowMs: number
  maxCandidates: number
  maxQueries?: number
  maxNodesPerReply: number
  maxPeers: number
  timers: DhtTimers
  signal?: AbortSignal
  onPeers?(peers: PeerAddress[]): void
  /** peers known before asking anyone (our own store: we may be one of the closest nodes) */
  initialPeers?: readonly PeerAddress[]
  /** nodes never to ask (ourselves) */
  skip?(c: Contact): boolean
  /** BEP 42 enforcement: an answer from a node failing this neither ends the lookup nor
   * earns it our announce */
  trusted?(c: Contact): boolean
}

export interface LookupResult {
  /** the k closest nodes that answered (trusted ones), closest first, with their tokens */
  closest: { contact: Contact; token?: Uint8Array }[]
  peers: PeerAddress[]
  queried: number
  responded: number
}

type State = 'new' | 'inflight' | 'slow' | 'done' | 'failed'
interface Candidate { contact: Contact; state: State; trusted: boolean; token?: Uint8Array }

export function iterativeLookup(o: LookupOptions): Promise<LookupResult> {
  const maxQueries = o.maxQueries ?? 256
  const candidates: Candidate[] = []
  const seen = new Set<string>()
  const peerKeys = new Set<string>()
  const peers: PeerAddress[] = []
  const ctrl = new AbortController()
  let active = 0 // in flight and not yet slow
  let pending = 0 // in flight, slow or not
  let queried = 0
  let responded = 0
  let finished = false

  return new Promise<LookupResult>((resolve, reject) => {
    const onAbort = () => {
      if (finished) return
      finished = true
      ctrl.abort()
      reject(Object.assign(new Error('lookup aborted'), { name: 'AbortError' }))
    }
    if (o.signal?.aborted) { onAbort(); return }
    o.signal?.addEventListener('abort', onAbort, { once: true })

    const finish = () => {
      finished = true
      o.signal?.removeEventListener('abort', onAbort)
      ctrl.abort() // slow queries still out: their answers are no longer wanted
      const closest = candidates.filter((c) => c.state === 'done' && c.trusted).slice(0, o.k)
        .map((c) => (c.token ? { contact: c.contact, token: c.token } : { contact: c.contact }))
      resolve({ closest, peers, queried, responded })
    }

    const add = (c: Contact) => {
      const key = addressKey(c)
      const idKey = toHex(c.id)
      if (seen.has(key) || seen.has(idKey) || o.skip?.(c)) return
      seen.add(key); seen.add(idKey)
      let lo = 0, hi = candidates.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (compareDistance(candidates[mid]!.contact.id, c.id, o.target) < 0) lo = mid + 1
        else hi = mid
      }
      candidates.splice(lo, 0, { contact: c, state: 'new', trusted: true })
      // over the cap: the farthest that is not in flight goes
      for (let i = candidates.length - 1; candidates.length > o.maxCandidates && i >= 0; i--) {
        const s = candidates[i]!.state
        if (s !== 'inflight' && s !== 'slow') candidates.splice(i, 1)
      }
    }

    const send = (c: Candidate) => {
      c.state = 'inflight'
      active++; pending++; queried++
      const slow = o.timers.setTimeout(() => {
        if (c.state !== 'inflight') return
        c.state = 'slow'; active--
        step()
      }, o.slowMs)
      const settle = (state: 'done' | 'failed') => {
        o.timers.clearTimeout(slow)
        if (c.state === 'inflight') active--
        pending--
        c.state = state
      }
      o.query(c.contact, ctrl.signal).then((reply) => {
        if (finished) return
        responded++
        const sameId = toHex(reply.id) === toHex(c.contact.id)
        settle(sameId ? 'done' : 'failed')
        c.trusted = sameId && (o.trusted?.(c.contact) ?? true)
        if (reply.token) c.token = reply.token
        for (const n of reply.nodes.slice(0, o.maxNodesPerReply)) add(n)
        if (reply.peers) takePeers(reply.peers)
        step()
      }, () => {
        if (finished) return
        settle('failed')
        step()
      })
    }

    const takePeers = (list: PeerAddress[]) => {
      const fresh: PeerAddress[] = []
      for (const p of list) {
        if (peers.length >= o.maxPeers) break
        const key = addressKey(p)
        if (peerKeys.has(key)) continue
        peerKeys.add(key)
        peers.push(p)
        fresh.push(p)
      }
      if (fresh.length > 0) try { o.onPeers?.(fresh) } catch { /* the caller's problem, not the lookup's */ }
    }

    const step = () => {
      if (finished) return
      let counted = 0
      for (const c of candidates) {
        if (c.state === 'failed' || (c.state === 'done' && !c.trusted)) continue
        if (c.state === 'new' && active < o.alpha && queried < maxQueries) send(c)
        if (finished) return
        if (++counted >= o.k) break
      }
      if (pending === 0) finish()
    }

    for (const s of o.seeds) add(s)
    if (o.initialPeers?.length) takePeers([...o.initialPeers])
    step()
  })
}
