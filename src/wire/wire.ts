/** One peer connection speaking the BitTorrent peer wire protocol (BEP 3) with the fast
 * extension (BEP 6) and the extension protocol (BEP 10), over any Duplex: bytes in, typed
 * events out, method calls in, bytes out. It keeps the protocol state (handshakes, choke
 * and interest flags, extension ids) and leaves all torrent bookkeeping to its user. */
import type { BDict, Encodable } from '../bencode/index.js'
import type { Duplex } from '../transport/types.js'
import type { Bitfield } from '../util/bitfield.js'
import { equalBytes } from '../util/bytes.js'
import { Emitter } from '../util/emitter.js'
import { RateMeter } from '../util/rate.js'
import { systemClock, type Clock, type Timer } from '../util/clock.js'
import { WireError } from './errors.js'
import { buildExtendedHandshake, parseExtendedHandshake } from './extended-handshake.js'
import type { WireExtension } from './extension.js'
import * as m from './messages.js'
import { WireParser, type ParsedMessage } from './parser.js'
import { Outbox } from './outbox.js'
import type { HandshakeFlags, WireEvents, WireOptions } from './types.js'

export type { HandshakeFlags, WireEvents, WireOptions }

/** Bounds on what a peer may send before we answer its handshake. */
const MAX_HELD_MESSAGES = 1024
const MAX_HELD_BYTES = 4 * 1024 * 1024

export class Wire extends Emitter<WireEvents> {
  #amChoking = true
  #amInterested = false
  #peerChoking = true
  #peerInterested = false
  #peerSupportsFast = false
  #peerSupportsExtended = false
  #peerExtendedHandshake: BDict | undefined
  #destroyed = false
  #uploaded = 0
  #downloaded = 0
  readonly #conn: Duplex
  readonly #parser: WireParser
  readonly #transient: boolean
  readonly #out: Outbox
  readonly #opts: WireOptions
  readonly #clock: Clock
  readonly #maxRequest: number
  readonly #downMeter: RateMeter
  readonly #upMeter: RateMeter
  readonly #extensions: WireExtension[] = []
  readonly #peerExtIds = new Map<string, number>()
  readonly #timers: Timer[] = []
  #ours: { infoHash: Uint8Array; flags: HandshakeFlags } | undefined
  #theirs: m.Handshake | undefined
  /** Messages that came after the peer's handshake but before we sent ours (inbound
   * connections): delivered once we have answered, so listeners are in place. */
  #held: ParsedMessage[] | undefined
  #heldBytes = 0
  #fields: Record<string, Encodable> = {}
  #lastReceived: number

  constructor(conn: Duplex, opts: WireOptions = {}) {
    super()
    this.#conn = conn
    this.#opts = opts
    this.#clock = opts.clock ?? systemClock
    const now = () => this.#clock.now()
    this.#maxRequest = opts.maxRequestLength ?? 128 * 1024
    this.#transient = conn.transientChunks === true
    this.#parser = new WireParser({ maxMessageLength: opts.maxMessageLength, transient: this.#transient })
    this.#out = new Outbox(conn)
    this.#downMeter = new RateMeter(5, now)
    this.#upMeter = new RateMeter(5, now)
    this.#lastReceived = now()
    conn.on('data', (chunk) => this.#onData(chunk))
    conn.on('drain', () => { this.#out.drained(); if (!this.destroyed) this.emit('drain') })
    conn.on('close', () => this.#close(undefined))
    conn.on('error', (err) => this.#close(err))
    const keepAliveMs = opts.keepAliveMs ?? 60_000
    if (keepAliveMs > 0) this.#timers.push(this.#clock.setInterval(() => this.keepAlive(), keepAliveMs))
    const idleMs = opts.idleTimeoutMs ?? 120_000
    if (idleMs > 0) {
      this.#timers.push(this.#clock.setInterval(() => {
        if (now() - this.#lastReceived >= idleMs) this.destroy(new WireError(`no data for ${idleMs} ms`, 'timeout'))
      }, Math.max(10, idleMs / 4)))
    }
  }

  get amChoking(): boolean { return this.#amChoking }
  get amInterested(): boolean { return this.#amInterested }
  get peerChoking(): boolean { return this.#peerChoking }
  get peerInterested(): boolean { return this.#peerInterested }
  /** True once both handshakes set the BEP 6 bit. */
  get peerSupportsFast(): boolean { return this.#peerSupportsFast }
  /** True once both handshakes set the BEP 5 DHT bit: PORT messages are welcome. */
  get peerSupportsDht(): boolean { return (this.#ours?.flags.dht ?? false) && (this.#theirs?.dht ?? false) }
  /** True once both handshakes set the BEP 10 bit. */
  get peerSupportsExtended(): boolean { return this.#peerSupportsExtended }
  get peerExtendedHandshake(): BDict | undefined { return this.#peerExtendedHandshake }
  get peerId(): Uint8Array | undefined { return this.#theirs?.peerId }
  get destroyed(): boolean { return this.#destroyed }
  /** Block payload bytes sent and received. */
  get uploaded(): number { return this.#uploaded }
  get downloaded(): number { return this.#downloaded }
  /** The torrent this connection is about: ours once sent, else the peer's. */
  get infoHash(): Uint8Array | undefined { return this.#ours?.infoHash ?? this.#theirs?.infoHash }
  /** False while the transport reports a full buffer; wait for 'drain'. */
  get writable(): boolean { return !this.destroyed && !this.#out.blocked }
  /** Payload bytes per second over the last few seconds. */
  get downloadRate(): number { return this.#downMeter.rate() }
  get uploadRate(): number { return this.#upMeter.rate() }
  /** Messages with ids we do not know (ignored, BEP 3). */
  get unknownMessages(): number { return this.#parser.unknownMessages }
  peerSupportsExtension(name: string): boolean { return this.#peerExtIds.has(name) }

  /** Adds a BEP 10 extension; must come before our handshake, which advertises it. */
  use(ext: WireExtension): void {
    if (this.#ours) throw new Error('Wire.use() must be called before the handshake')
    if (this.#extensions.some((e) => e.name === ext.name)) throw new Error(`extension ${ext.name} already in use`)
    if (this.#extensions.length >= 255) throw new Error('too many extensions')
    this.#extensions.push(ext)
  }

  /** Top-level fields for our extension handshake (BEP 10: `p`, `yourip`...); before the handshake. */
  setHandshakeFields(fields: Record<string, Encodable>): void {
    if (this.#ours) throw new Error('Wire.setHandshakeFields() must be called before the handshake')
    this.#fields = fields
  }

  /** Sends our handshake. On an inbound connection call it after the 'handshake' event,
   * once the peer's info hash is known to be ours. */
  handshake(infoHash: Uint8Array, peerId: Uint8Array, opts: Partial<HandshakeFlags> = {}): void {
    if (this.destroyed) return
    if (this.#ours) throw new Error('handshake already sent')
    const flags = { dht: opts.dht ?? false, fast: opts.fast ?? true, extended: opts.extended ?? true }
    this.#out.push(m.encodeHandshake(infoHash, peerId, flags))
    this.#ours = { infoHash: infoHash.slice(), flags }
    if (!this.#theirs) return
    if (!equalBytes(infoHash, this.#theirs.infoHash)) {
      this.destroy(new WireError('handshake for another info hash', 'protocol'))
      return
    }
    this.#bothHandshaken()
    queueMicrotask(() => this.#releaseHeld())
  }

  choke(): void { if (!this.#amChoking) { this.#amChoking = true; this.#send(m.encodeChoke()) } }
  unchoke(): void { if (this.#amChoking) { this.#amChoking = false; this.#send(m.encodeUnchoke()) } }
  interested(): void { if (!this.#amInterested) { this.#amInterested = true; this.#send(m.encodeInterested()) } }
  uninterested(): void { if (this.#amInterested) { this.#amInterested = false; this.#send(m.encodeUninterested()) } }
  have(index: number): void { this.#send(m.encodeHave(index)) }
  bitfield(bf: Bitfield): void { this.#send(m.encodeBitfield(bf.toBytes())) }
  haveAll(): void { this.#requireFast('have_all'); this.#send(m.encodeHaveAll()) }
  haveNone(): void { this.#requireFast('have_none'); this.#send(m.encodeHaveNone()) }
  suggest(index: number): void { this.#requireFast('suggest'); this.#send(m.encodeSuggest(index)) }
  allowedFast(index: number): void { this.#requireFast('allowed_fast'); this.#send(m.encodeAllowedFast(index)) }
  reject(index: number, offset: number, length: number): void {
    this.#requireFast('reject'); this.#send(m.encodeReject(index, offset, length))
  }
  port(port: number): void { this.#send(m.encodePort(port)) }
  keepAlive(): void { if (this.#ours) this.#send(m.encodeKeepAlive()) }
  cancel(index: number, offset: number, length: number): void { this.#send(m.encodeCancel(index, offset, length)) }

  request(index: number, offset: number, length: number): void {
    if (length <= 0 || length > this.#maxRequest) throw new RangeError(`request length ${length} out of range`)
    this.#send(m.encodeRequest(index, offset, length))
  }

  /** Sends a block. `data` is queued as it is, not copied: do not change it afterwards. */
  piece(index: number, offset: number, data: Uint8Array): void {
    if (this.destroyed) return
    this.#send(m.encodePieceHeader(index, offset, data.length))
    this.#out.push(data)
    this.#uploaded += data.length
    this.#upMeter.add(data.length)
  }

  /** Sends an extension message with the id the peer assigned to `name` (BEP 10). */
  extended(name: string, payload: Uint8Array): void {
    if (this.destroyed) return
    const id = this.#peerExtIds.get(name)
    if (id === undefined) throw new WireError(`peer does not support ${name}`, 'extension')
    this.#send(m.encodeExtended(id, payload))
  }

  /** Closes the connection and stops all timers. An error, if given, is emitted first
   * (only when someone listens for 'error'); 'close' is always emitted, once. */
  destroy(err?: Error): void {
    if (this.destroyed) return
    this.#out.flush()
    this.#close(err)
  }

  #close(err: Error | undefined): void {
    if (this.destroyed) return
    this.#destroyed = true
    for (const t of this.#timers) t.cancel()
    this.#timers.length = 0
    this.#held = undefined
    this.#out.close()
    this.#conn.destroy()
    if (err && this.listenerCount('error') > 0) this.emit('error', err)
    this.emit('close')
  }

  #send(bytes: Uint8Array): void {
    if (this.destroyed) return
    // anything before our handshake would be read by the peer as a broken handshake
    if (!this.#ours) throw new Error('send the handshake first')
    this.#out.push(bytes)
  }

  #requireFast(what: string): void {
    if (!this.peerSupportsFast) throw new Error(`cannot send ${what}: the fast extension (BEP 6) was not negotiated`)
  }

  #onData(chunk: Uint8Array): void {
    if (this.destroyed) return
    this.#lastReceived = this.#clock.now()
    try {
      const messages = this.#parser.push(chunk)
      for (const msg of messages) {
        if (this.destroyed) return
        if (this.#held) this.#hold(this.#own(msg, true))
        else this.#handle(this.#own(msg, false))
      }
    } catch (e) {
      this.destroy(e instanceof Error ? e : new Error(String(e)))
    }
  }

  /** With a transport that reuses its read buffer, payloads that outlive this call (held
   * messages, bitfields, extension messages) are copied; a block is valid only during its
   * 'piece' event, and listeners copy what they keep (the downloader always does). */
  #own(msg: ParsedMessage, keep: boolean): ParsedMessage {
    if (!this.#transient) return msg
    if (msg.type === 'bitfield') return { ...msg, bytes: msg.bytes.slice() }
    if (msg.type === 'extended') return { ...msg, payload: msg.payload.slice() }
    if (msg.type === 'piece' && keep) return { ...msg, block: msg.block.slice() }
    return msg
  }

  #hold(msg: ParsedMessage): void {
    this.#heldBytes += msg.type === 'piece' ? msg.block.length : msg.type === 'bitfield' ? msg.bytes.length
      : msg.type === 'extended' ? msg.payload.length : 0
    if (this.#held!.length >= MAX_HELD_MESSAGES || this.#heldBytes > MAX_HELD_BYTES) {
      throw new WireError('too much data before our handshake', 'protocol')
    }
    this.#held!.push(msg)
  }

  #releaseHeld(): void {
    const held = this.#held
    this.#held = undefined
    if (!held) return
    try {
      for (const msg of held) { if (this.destroyed) return; this.#handle(msg) }
    } catch (e) {
      this.destroy(e instanceof Error ? e : new Error(String(e)))
    }
  }

  #onHandshake(h: m.Handshake): void {
    this.#theirs = h
    if (this.#ours) {
      if (!equalBytes(h.infoHash, this.#ours.infoHash)) throw new WireError('peer answered with another info hash', 'protocol')
      this.#bothHandshaken()
    } else {
      this.#held = []
    }
    this.emit('handshake', h.infoHash, h.peerId, { dht: h.dht, fast: h.fast, extended: h.extended })
  }

  #bothHandshaken(): void {
    const ours = this.#ours!.flags, theirs = this.#theirs!
    this.#peerSupportsFast = ours.fast && theirs.fast
    this.#peerSupportsExtended = ours.extended && theirs.extended
    if (!this.#peerSupportsExtended) return
    // BEP 10: sent right after the handshake; `m` holds our extension ids
    this.#send(m.encodeExtended(0, buildExtendedHandshake(this.#extensions, { ...this.#opts.extendedHandshake?.(), ...this.#fields })))
  }

  #handle(msg: ParsedMessage): void {
    switch (msg.type) {
      case 'handshake': return this.#onHandshake(msg.handshake)
      case 'keepalive': this.emit('keepalive'); return
      case 'choke': this.#peerChoking = true; this.emit('choke'); return
      case 'unchoke': this.#peerChoking = false; this.emit('unchoke'); return
      case 'interested': this.#peerInterested = true; this.emit('interested'); return
      case 'uninterested': this.#peerInterested = false; this.emit('uninterested'); return
      case 'have': this.emit('have', msg.index); return
      // BEP 3/6 put these first, but real clients send them later too (webtorrent: have_none
      // after interested; others a fresh bitfield mid-connection): each replaces the last.
      case 'bitfield': this.emit('bitfield', msg.bytes); return
      case 'have-all': this.#needFast(msg.type); this.emit('have-all'); return
      case 'have-none': this.#needFast(msg.type); this.emit('have-none'); return
      case 'request':
        if (msg.length === 0 || msg.length > this.#maxRequest) {
          throw new WireError(`request for ${msg.length} bytes (limit ${this.#maxRequest})`, 'protocol')
        }
        this.emit('request', msg.index, msg.offset, msg.length); return
      case 'piece':
        this.#downloaded += msg.block.length
        this.#downMeter.add(msg.block.length)
        this.emit('piece', msg.index, msg.offset, msg.block); return
      case 'cancel': this.emit('cancel', msg.index, msg.offset, msg.length); return
      case 'reject': this.#needFast(msg.type); this.emit('reject', msg.index, msg.offset, msg.length); return
      case 'allowed-fast': this.#needFast(msg.type); this.emit('allowed-fast', msg.index); return
      case 'suggest': this.#needFast(msg.type); this.emit('suggest', msg.index); return
      case 'port': this.emit('port', msg.port); return
      case 'extended': return this.#onExtended(msg.id, msg.payload)
    }
  }

  /** BEP 6: receiving a fast message when the extension is off MUST close the connection. */
  #needFast(type: string): void {
    if (!this.peerSupportsFast) throw new WireError(`${type} without the fast extension`, 'protocol')
  }

  #onExtended(id: number, payload: Uint8Array): void {
    if (!this.peerSupportsExtended) throw new WireError('extended message without the extension protocol', 'protocol')
    if (id !== 0) {
      const ext = this.#extensions[id - 1]
      if (!ext) return // an id we never gave out: ignore, as BEP 10 does for unknown messages
      try { ext.onMessage(payload) } catch (e) {
        throw e instanceof WireError ? e : new WireError(`${ext.name}: ${e instanceof Error ? e.message : String(e)}`, 'extension')
      }
      return
    }
    const { dict, ids } = parseExtendedHandshake(payload)
    // Later handshakes update earlier ones; id 0 switches an extension off (BEP 10).
    for (const [name, id] of ids) {
      if (id === 0) this.#peerExtIds.delete(name)
      else this.#peerExtIds.set(name, id)
    }
    this.#peerExtendedHandshake = dict
    for (const ext of this.#extensions) ext.onHandshake?.(dict)
    this.emit('extended-handshake', dict)
  }
}
