import { getInt, type BDict } from '../bencode/index.js'
import { Bitfield } from '../util/bitfield.js'
import type { PiecePicker } from '../engine/picker.js'
import type { Downloader } from './downloader.js'
import type { Uploader } from './uploader.js'
import type { Peer } from './peer.js'

/** The parts of a torrent a peer's messages act on. */
export interface PeerHost {
  /** piece count once the metadata is known */
  pieceCount(): number | undefined
  picker(): PiecePicker | undefined
  downloader(): Downloader | undefined
  uploader(): Uploader | undefined
  wants(index: number): boolean
  updateInterest(peer: Peer): void
  rechokeSoon(): void
  removePeer(peer: Peer): void
  /** the peer can send metadata (BEP 9) and we still lack it */
  fetchMetadata(peer: Peer): void
  countDownload(bytes: number): void
  peerById(id: string): Peer | undefined
  warn(err: Error): void
}

/** Turns a peer's messages into bookkeeping: what it has (before the metadata, kept aside
 * until the piece count is known), its choke state, blocks in and requests for us. */
export function attachPeerHandlers(peer: Peer, host: PeerHost): void {
  const { wire } = peer
  const known = () => {
    const picker = host.picker(), pieceCount = host.pieceCount()
    return picker && pieceCount !== undefined ? { picker, pieceCount } : undefined
  }

  wire.on('extended-handshake', (h: BDict) => {
    const reqq = getInt(h, 'reqq')
    if (reqq && reqq > 0) peer.reqq = Math.min(reqq, 2000)
    host.fetchMetadata(peer)
  })
  // A piece map may come at any time and more than once: each replaces the peer's piece set.
  const replaceHave = (next: Bitfield, k: { picker: PiecePicker }) => {
    if (peer.have) k.picker.removeAvailability(peer.have)
    peer.have = next
    k.picker.addAvailability(next)
    host.updateInterest(peer)
  }
  wire.on('bitfield', (bytes: Uint8Array) => {
    const k = known()
    if (!k) { peer.pending = { bitfield: bytes.slice(), haves: [] }; return }
    let next: Bitfield
    try { next = Bitfield.fromBytes(bytes, k.pieceCount) } catch (e) { wire.destroy(e as Error); return }
    replaceHave(next, k)
  })
  wire.on('have-all', () => {
    const k = known()
    if (!k) { peer.pending = { all: true, haves: [] }; return }
    const next = new Bitfield(k.pieceCount)
    next.setAll()
    replaceHave(next, k)
  })
  wire.on('have-none', () => {
    const k = known()
    if (!k) { peer.pending = { haves: [] }; return }
    replaceHave(new Bitfield(k.pieceCount), k)
  })
  wire.on('have', (index: number) => {
    const k = known()
    if (!k || !peer.have) { if (peer.pending.haves.length < 100_000) peer.pending.haves.push(index); return }
    if (index >= peer.have.length || peer.have.get(index)) return
    peer.have.set(index)
    k.picker.incrementAvailability(index)
    if (!wire.amInterested && host.wants(index)) wire.interested()
    host.downloader()?.fill(peer)
  })
  // Without the fast extension a choke silently discards our requests (BEP 3); with it the
  // peer rejects each one it will not serve (BEP 6).
  wire.on('choke', () => { if (!wire.peerSupportsFast) host.downloader()?.dropAll(peer) })
  wire.on('unchoke', () => host.downloader()?.fill(peer))
  wire.on('allowed-fast', (index: number) => { peer.allowedFast.add(index); host.downloader()?.fill(peer) })
  wire.on('reject', (index: number, offset: number) => { host.downloader()?.dropOne(peer, index, offset); host.downloader()?.fill(peer) })
  wire.on('interested', () => host.rechokeSoon())
  wire.on('uninterested', () => host.rechokeSoon())
  wire.on('piece', (index: number, offset: number, block: Uint8Array) => {
    host.countDownload(block.length)
    const dl = host.downloader()
    if (!dl) return
    dl.onBlock(peer, index, offset, block, host.peerById)
    dl.fill(peer)
  })
  wire.on('request', (index: number, offset: number, length: number) => host.uploader()?.onRequest(peer, index, offset, length))
  wire.on('cancel', (index: number, offset: number, length: number) => host.uploader()?.onCancel(peer, index, offset, length))
  wire.on('error', (err: Error) => host.warn(err))
  wire.once('close', () => host.removePeer(peer))
}
