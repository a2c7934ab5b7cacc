/** Local Service Discovery (BEP 14) for the Node client: one multicast socket for all
 * torrents. Each joined torrent is announced at once and every 5 minutes (no more than one
 * packet a minute per torrent, as the BEP asks); announces from others on the LAN become
 * peers of the torrents they name. Our own announces come back by multicast loopback and
 * are recognised by the cookie. */
import dgram from 'node:dgram'
import { randomBytes, toHex } from '../util/bytes.js'
import type { Clock, Timer } from '../util/clock.js'
import type { PeerAddress } from '../transport/types.js'
import { LSD_GROUP, LSD_PORT, encodeLsd, parseLsd, type LocalPeerDiscovery } from './lsd-message.js'

export interface LsdOptions {
  clock: Clock
  /** our peer port, for the Port header */
  port(): number
  /** the interface to multicast on (an address of it), e.g. 127.0.0.1 in tests; default: the OS's */
  interface?: string | undefined
  /** group and port (default BEP 14's) */
  group?: string
  groupPort?: number
  intervalMs?: number
}

interface Joined { infoHash: string; onPeer(addr: PeerAddress): void; lastSent: number }

/** announces from one source address read per minute at most */
const MAX_PER_SOURCE_PER_MINUTE = 60

export class LocalDiscovery implements LocalPeerDiscovery {
  readonly #cookie = toHex(randomBytes(8))
  readonly #joined = new Map<string, Joined>()
  readonly #heard = new Map<string, { count: number; since: number }>()
  #timer: Timer | undefined
  #closed = false

  private constructor(private readonly socket: dgram.Socket, private readonly o: LsdOptions) {
    socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo.address))
    socket.on('error', () => undefined)
    this.#timer = o.clock.setInterval(() => this.#announceDue(), 60_000).unref()
  }

  static start(o: LsdOptions): Promise<LocalDiscovery> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true })
      socket.once('error', reject)
      socket.bind(o.groupPort ?? LSD_PORT, () => {
        socket.off('error', reject)
        try {
          socket.addMembership(o.group ?? LSD_GROUP, o.interface)
          if (o.interface) socket.setMulticastInterface(o.interface)
          socket.setMulticastLoopback(true)
          socket.setMulticastTTL(2) // the BEP's groups reach past one link
        } catch (err) { socket.close(); reject(err); return }
        resolve(new LocalDiscovery(socket, o))
      })
    })
  }

  /** Announces a torrent on the LAN until `leave()`; peers heard of go to `onPeer`. */
  join(infoHash: Uint8Array, onPeer: (addr: PeerAddress) => void): { leave(): void } {
    const hex = toHex(infoHash)
    const entry: Joined = { infoHash: hex, onPeer, lastSent: -Infinity }
    this.#joined.set(hex, entry)
    this.#send([entry])
    return { leave: () => { if (this.#joined.get(hex) === entry) this.#joined.delete(hex) } }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#closed = true
    this.#timer?.cancel()
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }

  #announceDue(): void {
    const now = this.o.clock.now()
    this.#send([...this.#joined.values()].filter((j) => now - j.lastSent >= (this.o.intervalMs ?? 5 * 60_000)))
    this.#heard.clear()
  }

  #send(entries: Joined[]): void {
    const now = this.o.clock.now()
    const due = entries.filter((j) => now - j.lastSent >= 60_000)
    if (this.#closed || due.length === 0) return
    for (const j of due) j.lastSent = now
    for (const packet of encodeLsd({ port: this.o.port(), infoHashes: due.map((j) => j.infoHash), cookie: this.#cookie })) {
      this.socket.send(packet, this.o.groupPort ?? LSD_PORT, this.o.group ?? LSD_GROUP)
    }
  }

  #onMessage(msg: Buffer, from: string): void {
    const heard = this.#heard.get(from) ?? { count: 0, since: 0 }
    if (++heard.count > MAX_PER_SOURCE_PER_MINUTE) return
    if (this.#heard.size < 1000 || this.#heard.has(from)) this.#heard.set(from, heard)
    const a = parseLsd(msg.toString('latin1'))
    if (!a || a.cookie === this.#cookie) return
    for (const hex of a.infoHashes) this.#joined.get(hex)?.onPeer({ host: from, port: a.port })
  }
}
