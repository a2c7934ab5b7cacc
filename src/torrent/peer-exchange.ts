/** Peer exchange for one torrent (BEP 11): once a minute each peer that speaks ut_pex hears
 * which peers we gained and lost since we last told it (the first message, a few seconds
 * after we meet, lists who we have); what peers tell us goes into the address book as
 * source 'pex'. Private torrents (BEP 27) do neither. */
import type { Clock, Timer } from '../util/clock.js'
import { PEX_OUTGOING, PEX_SEED, type PexPeer } from '../wire/index.js'
import type { PeerAddress } from '../transport/types.js'
import { addressKey, type PeerConnection } from './peer-connection.js'

export interface PeerExchangeOptions {
  clock: Clock
  /** the active peers */
  peers(): Iterable<PeerConnection>
  add(addr: PeerAddress): void
  /** BEP 27: a private torrent exchanges no peers */
  isPrivate(): boolean
  intervalMs?: number
}

const FIRST_MESSAGE_MS = 3000

export class PeerExchange {
  /** per peer: what we told it last (address keys) */
  readonly #told = new WeakMap<PeerConnection, Map<string, PexPeer>>()
  #timer: Timer | undefined

  constructor(private readonly o: PeerExchangeOptions) {}

  start(): void {
    this.#timer ??= this.o.clock.setInterval(() => this.#round(), this.o.intervalMs ?? 60_000).unref()
  }

  stop(): void {
    this.#timer?.cancel()
    this.#timer = undefined
  }

  /** A peer became active: listen to it, and tell it who we have soon. */
  add(peer: PeerConnection): void {
    const pex = peer.pex
    if (!pex) return
    pex.on('message', (m) => {
      if (this.o.isPrivate()) return
      for (const p of m.added) this.o.add({ host: p.host, port: p.port })
    })
    this.o.clock.setTimeout(() => { if (peer.state === 'active' && !this.#told.has(peer)) this.#tell(peer) }, FIRST_MESSAGE_MS).unref()
  }

  #round(): void {
    for (const peer of this.o.peers()) this.#tell(peer)
  }

  /** Sends `peer` the difference between what we have now and what we told it. */
  #tell(peer: PeerConnection): void {
    if (this.o.isPrivate() || !peer.pex?.supported) return
    const now = this.#connected(peer)
    const before = this.#told.get(peer) ?? new Map<string, PexPeer>()
    const added = [...now].filter(([k]) => !before.has(k)).map(([, p]) => p)
    const dropped = [...before].filter(([k]) => !now.has(k)).map(([, p]) => ({ host: p.host, port: p.port }))
    // what was not sent (over the caps) is sent next time
    const sentAdded = added.slice(0, 50), sentDropped = dropped.slice(0, 50)
    const told = new Map(before)
    for (const p of sentAdded) told.set(addressKey(p), p)
    for (const p of sentDropped) told.delete(addressKey(p))
    this.#told.set(peer, told)
    peer.pex.send({ added: sentAdded, dropped: sentDropped })
  }

  /** The peers we are connected to that others could dial, `to` left out. */
  #connected(to: PeerConnection): Map<string, PexPeer> {
    const out = new Map<string, PexPeer>()
    for (const p of this.o.peers()) {
      if (p === to || p.listenPort === undefined || !isIp(p.address.host)) continue
      const addr = { host: p.address.host, port: p.listenPort }
      out.set(addressKey(addr), { ...addr, flags: (p.isSeed ? PEX_SEED : 0) | (p.inbound ? 0 : PEX_OUTGOING) })
    }
    return out
  }
}

/** WebRTC peers have pseudo-addresses nobody can dial: they are never passed on. */
function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':')
}
