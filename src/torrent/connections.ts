/** A torrent's peer connections: which addresses to dial and when (address-book.ts), the
 * peers being connected and the active ones, within the torrent's peer limit and the
 * client's connection budget. It starts each PeerConnection and tells the torrent when one
 * becomes active or closes; it never looks at pieces. */
import type { Clock } from '../util/clock.js'
import { equalBytes } from '../util/bytes.js'
import type { Wire } from '../wire/index.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import { AddressBook } from './address-book.js'
import { Strikes } from './strikes.js'
import { PeerConnection, addressKey, type PeerOptions } from './peer-connection.js'

/** Where an address came from, for "why no peers?" and the per-source counts. */
export type PeerSource = 'tracker' | 'dht' | 'pex' | 'lsd' | 'manual'

export interface ConnectionsOptions {
  infoHash: Uint8Array
  peerId: Uint8Array
  clock: Clock
  maxPeers: number
  getMetadata(): Uint8Array | undefined
  connect?: ((addr: PeerAddress, opts: { signal: AbortSignal; infoHash?: Uint8Array }) => Promise<Duplex>) | undefined
  /** the client's connection budget has room (for a dial to `addr`) */
  canConnect(addr: PeerAddress): boolean
  isSelf(addr: PeerAddress): boolean
  /** dialing is wanted now (not paused, not destroyed) */
  wantsToDial(): boolean
  /** we have all we want: known seeds are not dialed, and seeds we meet are left */
  seeding(): boolean
  /** our DHT's UDP port when we run one (BEP 5: handshake bit and PORT) */
  dhtPort?: (() => number) | undefined
  /** our peer port, for the extension handshake */
  listenPort?: (() => number) | undefined
  /** A peer is set up and listened to; it becomes active (or closes) later. */
  onPeer(peer: PeerConnection): void
  onClosed(peer: PeerConnection): void
}

/** a peer that neither wants nor gives anything this long may make way for a newcomer */
const USELESS_MS = 20_000

export class Connections {
  readonly addresses: AddressBook
  /** active peers by id */
  readonly active = new Map<string, PeerConnection>()
  /** peers still connecting or handshaking */
  readonly #pending = new Set<PeerConnection>()
  /** seeds we left because we had all we wanted (AddressBook keys): dialed again at once
   * when we want more (a stream reader on a deselected file) */
  readonly #leftWhenDone = new Set<string>()
  #closed = false

  constructor(private readonly o: ConnectionsOptions) {
    this.addresses = new AddressBook(2000, () => o.clock.now())
  }

  get size(): number { return this.active.size }
  get #room(): number { return this.o.maxPeers - this.active.size - this.#pending.size }

  /** true while another peer would fit */
  get hasRoom(): boolean { return !this.#closed && this.#room > 0 }

  /** new addresses learned, by where they came from */
  readonly found: Record<PeerSource, number> = { tracker: 0, dht: 0, pex: 0, lsd: 0, manual: 0 }

  /** A peer address from a tracker, the DHT, a magnet link...: dialed when there is room. */
  add(addr: PeerAddress, source: PeerSource = 'manual'): void {
    if (this.#closed || this.o.isSelf(addr)) return
    if (!this.addresses.add(addr)) return
    this.found[source]++
    this.connectMore()
  }

  connectMore(): void {
    const connect = this.o.connect
    if (!connect || this.#closed || !this.o.wantsToDial()) return
    const room = this.#room
    if (room <= 0) return
    for (const addr of this.addresses.takeDialable(Math.min(room, 8), this.o.seeding())) {
      if (!this.o.canConnect(addr)) { this.addresses.disconnected(addr, false); continue }
      this.#start(PeerConnection.outgoing(addr, (signal) => connect(addr, { signal, infoHash: this.o.infoHash }), this.#peerOptions()))
    }
  }

  /** A transport connected from elsewhere (a WebRTC data channel) on which we send the
   * handshake first, as if we had dialed it. */
  adopt(conn: Duplex, addr: PeerAddress): void {
    if (!this.hasRoom) { conn.destroy(); return }
    this.#start(PeerConnection.outgoing(addr, async () => conn, this.#peerOptions()))
  }

  /** A peer that dialed us and named our info hash. When we are full, it takes the place
   * of the peer that has been useless longest (libtorrent's peer turnover), if any. */
  accept(wire: Wire, addr: PeerAddress): void {
    if (this.#closed || this.addresses.isBanned(addr) || !wire.infoHash || !equalBytes(wire.infoHash, this.o.infoHash)) { wire.destroy(); return }
    if (!this.hasRoom) {
      const victim = this.#uselessLongest()
      if (!victim) { wire.destroy(); return }
      victim.close(new Error('replaced by a new peer: nothing exchanged for a while'))
    }
    this.#start(PeerConnection.incoming(wire, addr, this.#peerOptions()))
  }

  #uselessLongest(): PeerConnection | undefined {
    let worst: PeerConnection | undefined
    for (const p of this.active.values()) if (p.uselessFor(USELESS_MS) && (!worst || p.lastUsefulAt < worst.lastUsefulAt)) worst = p
    return worst
  }

  /** We are done and this peer is a seed: leave it, but dial it again if we want more. */
  leaveSeed(peer: PeerConnection): void {
    this.#leftWhenDone.add(addressKey(peer.address))
    this.addresses.markSeed(peer.address)
    peer.close()
  }

  redialLeftSeeds(): void {
    for (const key of this.#leftWhenDone) if (this.addresses.retryNow(key)) this.#leftWhenDone.delete(key)
    this.connectMore()
  }

  readonly #strikes = new Strikes()

  /** A piece failed its hash: the peers that sent parts of it (by id) get strikes
   * (strikes.ts), by address so a reconnect does not wipe the slate; the worst are banned. */
  badPiece(senders: readonly string[]): void {
    const byKey = new Map<string, PeerConnection | undefined>()
    for (const id of senders) { const peer = this.active.get(id); byKey.set(peer ? addressKey(peer.address) : id, peer) }
    for (const key of this.#strikes.record([...byKey.keys()])) {
      const peer = byKey.get(key)
      if (peer) this.ban(peer, new Error('banned: sent data that failed hash checks'))
    }
  }

  ban(peer: PeerConnection, why: Error): void {
    this.addresses.ban(peer.address)
    peer.close(why)
  }

  closeAll(): void {
    this.#closed = true
    for (const p of [...this.#pending, ...this.active.values()]) p.close()
  }

  #peerOptions(): PeerOptions {
    return { infoHash: this.o.infoHash, peerId: this.o.peerId, clock: this.o.clock, getMetadata: () => this.o.getMetadata(), dhtPort: this.o.dhtPort, listenPort: this.o.listenPort }
  }

  #start(peer: PeerConnection): void {
    this.#pending.add(peer)
    peer.once('active', () => {
      this.#pending.delete(peer)
      if (this.active.has(peer.id) || this.#closed) { peer.close(); return }
      this.active.set(peer.id, peer)
      if (!peer.inbound) this.addresses.connected(peer.address)
    })
    peer.once('closed', (err) => this.#onClosed(peer, err))
    this.o.onPeer(peer)
    peer.start()
  }

  #onClosed(peer: PeerConnection, err: Error | undefined): void {
    const wasActive = this.active.get(peer.id) === peer
    this.#pending.delete(peer)
    if (wasActive) this.active.delete(peer.id)
    if (peer.isSelf) this.addresses.ban(peer.address)
    else if (!peer.inbound) this.addresses.disconnected(peer.address, !wasActive && err !== undefined)
    this.o.onClosed(peer)
    if (!this.#closed) this.connectMore()
  }
}
