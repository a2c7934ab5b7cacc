import { Emitter } from '../util/emitter.js'
import type { Signaling, SignalingTorrent } from './signaling.js'
import type { WebRtcOptions } from '../transport/webrtc/types.js'
import { TrackerSocket, type WebSocketCtor } from './ws-tracker-socket.js'
import { OpenPeers, TrackerSession } from './ws-tracker-session.js'

export interface WsTrackerOptions {
  /** the WebSocket class: the browser's, or the `ws` package's in Node */
  WebSocket: WebSocketCtor
  /** how peer connections are made (implementation, ICE servers, timeouts) */
  webrtc: WebRtcOptions
  /** offers sent with each announce (default 5, as the reference clients) */
  offersPerAnnounce?: number
  /** an offer unanswered this long is closed (default 50 s) */
  offerTimeoutMs?: number
  /** shortest re-announce interval honoured (default 30 s) */
  minIntervalMs?: number
  /** re-announce interval until a tracker names one (default 120 s) */
  defaultIntervalMs?: number
  /** reconnect backoff (default 10 s doubling to 1 h) */
  reconnectMinMs?: number
  reconnectMaxMs?: number
  /** offers being answered at once per torrent and tracker (default 10) */
  maxAnswering?: number
}

type Events = { warning: [Error] }

/** Signaling through WebSocket trackers (shared/specs/websocket-tracker.md): the torrent
 * joins with its ws:// and wss:// URLs and gets open data channels back as connections.
 * One socket per URL serves every torrent; it closes when its last torrent leaves. */
export class WsTrackerSignaling extends Emitter<Events> implements Signaling {
  readonly #sockets = new Map<string, TrackerSocket>()
  readonly #sessions = new Set<TrackerSession>()
  readonly #opts: WsTrackerOptions

  constructor(opts: WsTrackerOptions) {
    super()
    this.#opts = opts
  }

  /** sockets open or reconnecting (for tests and stats) */
  get socketCount(): number { return this.#sockets.size }
  get sessions(): ReadonlySet<TrackerSession> { return this.#sessions }

  join(torrent: SignalingTorrent): { update(event?: 'completed'): void; leave(): Promise<void> } {
    const peers = new OpenPeers()
    const o = this.#opts
    const sessionOpts = {
      webrtc: o.webrtc,
      offersPerAnnounce: o.offersPerAnnounce ?? 5,
      offerTimeoutMs: o.offerTimeoutMs ?? 50_000,
      minIntervalMs: o.minIntervalMs ?? 30_000,
      defaultIntervalMs: o.defaultIntervalMs ?? 120_000,
      maxAnswering: o.maxAnswering ?? 10,
      warn: (err: Error) => { if (this.listenerCount('warning') > 0) this.emit('warning', err) },
    }
    const sessions: TrackerSession[] = []
    for (const url of new Set(torrent.urls)) {
      if (!/^wss?:\/\/[^/?#\s]+/i.test(url)) continue
      const socket = this.#socket(url)
      const session = new TrackerSession(torrent, socket, peers, sessionOpts)
      if (!session.start()) { // this torrent is already announced there
        if (socket.torrentCount === 0) socket.close()
        continue
      }
      sessions.push(session)
      this.#sessions.add(session)
    }
    return {
      update: (event) => { for (const s of sessions) void s.announce(event) },
      leave: async () => {
        await Promise.all(sessions.map(async (s) => { await s.leave(); this.#sessions.delete(s) }))
      },
    }
  }

  /** Leaves everything and closes every socket. */
  async destroy(): Promise<void> {
    await Promise.all([...this.#sessions].map((s) => s.leave()))
    this.#sessions.clear()
    for (const s of [...this.#sockets.values()]) s.close()
  }

  #socket(url: string): TrackerSocket {
    let s = this.#sockets.get(url)
    if (!s) {
      const sock: TrackerSocket = new TrackerSocket(url, {
        WebSocket: this.#opts.WebSocket,
        reconnectMinMs: this.#opts.reconnectMinMs ?? 10_000,
        reconnectMaxMs: this.#opts.reconnectMaxMs ?? 3_600_000,
        onClosed: () => { if (this.#sockets.get(url) === sock) this.#sockets.delete(url) },
      })
      s = sock
      this.#sockets.set(url, s)
    }
    return s
  }
}

export type { WebSocketCtor, WebSocketLike } from './ws-tracker-socket.js'
