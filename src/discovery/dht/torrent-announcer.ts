/** One torrent on the DHT: announce now (the get_peers walk brings peers too), again every
 * `intervalMs`, and look again on demand when the torrent wants more peers. What a torrent's
 * discovery holds; private torrents (BEP 27) must not have one. */
import type { Dht } from './dht.js'
import { systemTimers, type DhtTimers, type PeerAddress } from './types.js'

export interface DhtAnnouncerOptions {
  dht: Dht
  infoHash: Uint8Array
  /** our BitTorrent listen port, read at each announce */
  port: () => number
  onPeers(peers: PeerAddress[]): void
  /** false: re-announce on schedule but skip update()'s extra walks */
  wantsPeers?(): boolean
  /** BEP 5 implied_port: peers may use the DHT socket's port (uTP shares it) */
  impliedPort?: boolean
  /** between announces (libtorrent: 15 minutes) */
  intervalMs?: number
  /** update() walks at most this often */
  minIntervalMs?: number
  onWarning?(err: Error): void
  now?: () => number
  timers?: DhtTimers
}

export class DhtAnnouncer {
  readonly #o: DhtAnnouncerOptions
  readonly #timers: DhtTimers
  readonly #now: () => number
  #ctrl: AbortController | undefined
  #timer: unknown
  #lastRun = -Infinity
  #running: Promise<void> | undefined
  #stopped = false
  #misses = 0

  constructor(o: DhtAnnouncerOptions) {
    this.#o = o
    this.#timers = o.timers ?? systemTimers
    this.#now = o.now ?? Date.now
  }

  start(): void { void this.#run() }

  /** More peers wanted now: walk again unless one ran within minIntervalMs. */
  update(): void {
    if (this.#o.wantsPeers && !this.#o.wantsPeers()) return
    if (this.#now() - this.#lastRun < (this.#o.minIntervalMs ?? 60_000)) return
    void this.#run()
  }

  /** Resolves once the walk in progress (if any) has stopped. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#timers.clearTimeout(this.#timer)
    this.#ctrl?.abort()
    await this.#running
  }

  #run(): Promise<void> {
    if (this.#stopped || this.#running || this.#o.dht.destroyed) return this.#running ?? Promise.resolve()
    this.#lastRun = this.#now()
    this.#timers.clearTimeout(this.#timer)
    const ctrl = new AbortController()
    this.#ctrl = ctrl
    const port = this.#o.port()
    // our own announce comes back from the nodes we told: leave ourselves out
    const isSelf = (p: PeerAddress) => p.port === port && (p.host === this.#o.dht.externalIp || p.host.startsWith('127.'))
    let found = 0
    const dht = this.#o.dht
    // a walk on a table still filling finds little: let the bootstrap (under way or not) finish first
    const ready = dht.nodeCount < 8 ? dht.bootstrap().then(() => undefined, () => undefined) : Promise.resolve()
    this.#running = ready.then(() => ctrl.signal.aborted ? undefined : dht.announce(this.#o.infoHash, port, {
      signal: ctrl.signal, impliedPort: this.#o.impliedPort,
      onPeers: (peers) => { const others = peers.filter((p) => !isSelf(p)); found += others.length; if (others.length > 0) this.#o.onPeers(others) },
    })).then(() => undefined, (err: Error) => { if (!ctrl.signal.aborted) this.#o.onWarning?.(err) }).finally(() => {
      this.#running = undefined
      // nothing found while peers are wanted: look again soon (10 s, doubling), not in 15 minutes
      const interval = this.#o.intervalMs ?? 15 * 60_000
      this.#misses = found === 0 && (this.#o.wantsPeers?.() ?? true) ? this.#misses + 1 : 0
      const next = this.#misses > 0 ? Math.min(interval, 10_000 * 2 ** (this.#misses - 1)) : interval
      if (!this.#stopped) this.#timer = this.#timers.setTimeout(() => void this.#run(), next)
    })
    return this.#running
  }
}
