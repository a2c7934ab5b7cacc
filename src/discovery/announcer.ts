/** Announces one torrent to its trackers on schedule (BEP 3 intervals, BEP 12 tiers).
 *
 * Tier policy (the qBittorrent default: libtorrent announce_to_all_tiers=true,
 * announce_to_all_trackers=false): every tier is announced to, independently; inside a tier
 * the URLs are shuffled once and tried in order until one answers, and the one that answered
 * moves to the front (BEP 12). A tracker that fails backs off exponentially with jitter. */
import { Emitter } from '../util/emitter.js'
import { randomBytes } from '../util/bytes.js'
import type { AnnounceEvent, AnnounceFn, AnnounceResult, PeerAddress } from './tracker-types.js'

export interface AnnouncerTransports {
  http?: AnnounceFn
  /** a `UdpTrackerClient` (anything with its `announce`) */
  udp?: { announce: AnnounceFn }
}

export interface AnnouncerOptions {
  /** BEP 12 announce-list: tiers of URLs (a lone `announce` is one tier of one) */
  announce: string[][]
  infoHash: Uint8Array
  peerId: Uint8Array
  port: number
  getStats: () => { uploaded: number; downloaded: number; left: number }
  /** URLs whose scheme has no transport are skipped silently (ws:// is handled elsewhere) */
  transports: AnnouncerTransports
  numwant?: number
  now?: () => number
  random?: () => number
  /** floor under any tracker interval, and the rate limit for update(); default 30 s */
  minIntervalMs?: number
  /** per request; default 15 s (UDP retransmission has its own schedule inside) */
  requestTimeoutMs?: number
  /** first retry delay of a failing tracker, doubled per failure; default 15 s */
  backoffBaseMs?: number
  /** default 30 min */
  backoffMaxMs?: number
  /** how long stop() waits for 'stopped' announces; default 3 s */
  stopTimeoutMs?: number
}

export type AnnouncerEvents = {
  peers: [PeerAddress[]]
  warning: [string]
  error: [Error]
  response: [string, AnnounceResult]
}

interface TrackerState {
  url: string
  send: AnnounceFn
  failures: number
  retryAt: number
  /** a 'started' went out and was not refused: this tracker may list us, so it gets 'stopped' */
  joined: boolean
  trackerId?: string
}

interface Tier {
  trackers: TrackerState[]
  timer?: ReturnType<typeof setTimeout>
  busy: boolean
  /** an event arrived while busy (complete()): run again when done */
  again: boolean
  event: 'started' | 'completed' | 'none'
  lastAnnounceAt: number
  nextAt: number
  minIntervalMs: number
}

const MAX_TIERS = 16
const MAX_TRACKERS = 64
const MAX_TIMER_MS = 2 ** 31 - 1

export class Announcer extends Emitter<AnnouncerEvents> {
  readonly #o: AnnouncerOptions
  readonly #tiers: Tier[]
  readonly #now: () => number
  readonly #random: () => number
  readonly #floorMs: number
  readonly #key: number
  #abort = new AbortController()
  #started = false
  #stopped = false

  constructor(opts: AnnouncerOptions) {
    super()
    this.#o = opts
    this.#now = opts.now ?? Date.now
    this.#random = opts.random ?? Math.random
    this.#floorMs = opts.minIntervalMs ?? 30_000
    const k = randomBytes(4)
    this.#key = ((k[0]! << 24) | (k[1]! << 16) | (k[2]! << 8) | k[3]!) >>> 0
    const seen = new Set<string>()
    this.#tiers = []
    for (const urls of opts.announce.slice(0, MAX_TIERS)) {
      const trackers: TrackerState[] = []
      for (const url of urls) {
        const send = this.#transportFor(url)
        if (!send || seen.has(url) || seen.size >= MAX_TRACKERS) continue
        seen.add(url)
        trackers.push({ url, send, failures: 0, retryAt: 0, joined: false })
      }
      if (trackers.length === 0) continue
      this.#shuffle(trackers)
      this.#tiers.push({ trackers, busy: false, again: false, event: 'started', lastAnnounceAt: -Infinity, nextAt: Infinity, minIntervalMs: this.#floorMs })
    }
  }

  /** The tier lists as currently ordered (shuffled, answering tracker first), for display. */
  get tiers(): string[][] { return this.#tiers.map((t) => t.trackers.map((s) => s.url)) }

  start(): void {
    if (this.#started || this.#stopped) return
    this.#started = true
    for (const tier of this.#tiers) { tier.event = 'started'; void this.#announceTier(tier) }
  }

  complete(): void {
    if (!this.#started || this.#stopped) return
    for (const tier of this.#tiers) {
      tier.event = 'completed'
      if (tier.busy) tier.again = true
      else void this.#announceTier(tier)
    }
  }

  /** Announce now to get more peers, but never sooner than the min interval allows. */
  update(): void {
    if (!this.#started || this.#stopped) return
    const now = this.#now()
    for (const tier of this.#tiers) {
      if (tier.busy) continue // the answer on its way brings peers anyway
      const earliest = Math.max(tier.lastAnnounceAt + tier.minIntervalMs, ...tier.trackers.map((t) => t.retryAt).sort((a, b) => a - b).slice(0, 1))
      if (earliest <= now) void this.#announceTier(tier)
      else if (earliest < tier.nextAt) this.#schedule(tier, earliest)
    }
  }

  /** Sends 'stopped' to every tracker that may list us, waiting at most stopTimeoutMs. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.#abort.abort()
    for (const tier of this.#tiers) { clearTimeout(tier.timer); tier.timer = undefined }
    if (!this.#started) return
    const bye = new AbortController()
    const sends = this.#tiers.flatMap((tier) => tier.trackers.filter((t) => t.joined).map((t) =>
      t.send(t.url, this.#params(t, 'stopped'), { signal: bye.signal, timeoutMs: this.#o.stopTimeoutMs ?? 3000 })
        .then(() => { t.joined = false }, () => undefined)))
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.#o.stopTimeoutMs ?? 3000) })
    await Promise.race([Promise.all(sends), deadline])
    clearTimeout(timer)
    bye.abort()
  }

  #transportFor(url: string): AnnounceFn | undefined {
    const scheme = url.slice(0, Math.max(0, url.indexOf(':'))).toLowerCase()
    const { http, udp } = this.#o.transports
    if ((scheme === 'http' || scheme === 'https') && http) return http
    if (scheme === 'udp' && udp) return (u, p, o) => udp.announce(u, p, o)
    return undefined
  }

  #shuffle<T>(a: T[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1))
      const tmp = a[i]!; a[i] = a[j]!; a[j] = tmp
    }
  }

  #params(t: TrackerState, event: AnnounceEvent): Parameters<AnnounceFn>[1] {
    const s = this.#o.getStats()
    return {
      infoHash: this.#o.infoHash, peerId: this.#o.peerId, port: this.#o.port,
      uploaded: s.uploaded, downloaded: s.downloaded, left: s.left, event,
      numwant: event === 'stopped' ? 0 : this.#o.numwant, key: this.#key,
      ...(t.trackerId === undefined ? {} : { trackerId: t.trackerId }),
    }
  }

  #schedule(tier: Tier, at: number): void {
    clearTimeout(tier.timer)
    if (this.#stopped) return
    tier.nextAt = at
    tier.timer = setTimeout(() => { tier.timer = undefined; void this.#announceTier(tier) }, Math.min(MAX_TIMER_MS, Math.max(0, at - this.#now())))
    tier.timer.unref?.()
  }

  #backoffMs(failures: number): number {
    const base = this.#o.backoffBaseMs ?? 15_000
    const delay = Math.min(this.#o.backoffMaxMs ?? 30 * 60_000, base * 2 ** Math.min(failures - 1, 30))
    return delay * (0.75 + 0.5 * this.#random()) // jitter so many torrents do not retry in step
  }

  /** One pass over a tier: first tracker that answers wins and moves to the front. */
  async #announceTier(tier: Tier): Promise<void> {
    if (tier.busy || this.#stopped) return
    tier.busy = true
    clearTimeout(tier.timer)
    tier.timer = undefined
    tier.nextAt = Infinity
    const event = tier.event
    let answer: [TrackerState, AnnounceResult] | undefined
    try {
      for (const t of [...tier.trackers]) {
        if (this.#stopped) return
        if (t.retryAt > this.#now()) continue
        const sent: AnnounceEvent = t.joined ? event : 'started'
        if (sent === 'started') t.joined = true
        try {
          answer = [t, await t.send(t.url, this.#params(t, sent), { signal: this.#abort.signal, timeoutMs: this.#o.requestTimeoutMs ?? 15_000 })]
          break
        } catch (err) {
          if (this.#stopped) return
          if (sent === 'started') t.joined = false
          t.failures++
          t.retryAt = this.#now() + this.#backoffMs(t.failures)
          if (this.listenerCount('error') > 0) this.emit('error', err instanceof Error ? err : new Error(String(err)))
        }
      }
      if (this.#stopped) return
      if (!answer) return this.#schedule(tier, Math.min(...tier.trackers.map((t) => t.retryAt)))
      if (tier.event === event) tier.event = 'none'
      this.#onAnswer(tier, answer[0], answer[1])
    } finally {
      tier.busy = false
      if (tier.again && !this.#stopped) { tier.again = false; void this.#announceTier(tier) }
    }
  }

  #onAnswer(tier: Tier, t: TrackerState, res: AnnounceResult): void {
    const now = this.#now()
    t.failures = 0
    t.retryAt = 0
    if (res.trackerId !== undefined) t.trackerId = res.trackerId
    tier.trackers.splice(tier.trackers.indexOf(t), 1)
    tier.trackers.unshift(t) // BEP 12: the tracker that answered is tried first next time
    tier.lastAnnounceAt = now
    tier.minIntervalMs = Math.max(this.#floorMs, (res.minInterval ?? 0) * 1000)
    this.#schedule(tier, now + Math.max(res.interval * 1000, tier.minIntervalMs))
    // State is settled before listeners run, so a throwing listener cannot corrupt it.
    this.emit('response', t.url, res)
    if (res.warning !== undefined) this.emit('warning', res.warning)
    if (res.peers.length > 0) this.emit('peers', res.peers)
  }
}
