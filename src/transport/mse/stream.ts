/** A Duplex over another Duplex that first runs a handshake on the raw bytes and then
 * carries the stream, deciphering and enciphering with RC4 when that was chosen. The Wire
 * above sees an ordinary connection. It is the only 'data' listener of the transport below,
 * from the first byte on, so nothing is missed while the handshake runs.
 *
 * Incoming bytes are deciphered in place: the chunk is ours alone (the TCP read buffer is
 * valid only during the event and nobody else reads it), so no read allocates. Outgoing
 * bytes are enciphered into a new array, since the caller's may be a cached piece and the
 * transport keeps the array until the kernel took it. */
import { Emitter } from '../../util/emitter.js'
import type { Duplex } from '../types.js'
import type { Rc4 } from './rc4.js'

/** 'none': the peer sent a plaintext BitTorrent handshake (no MSE at all); 'plaintext': MSE
 * handshake, then the stream in the clear; 'rc4': MSE with the stream under RC4. */
export type StreamMethod = 'none' | 'plaintext' | 'rc4'

type Events = { data: [Uint8Array]; drain: []; close: []; error: [Error] }

interface Corkable { cork(): void; uncork(): void }

export class MseStream extends Emitter<Events> implements Duplex {
  readonly transientChunks: boolean
  readonly #inner: Duplex
  #decrypt: Rc4 | undefined
  #encrypt: Rc4 | undefined
  /** the handshake, while it runs: gets raw bytes */
  #handshake: ((chunk: Uint8Array) => void) | undefined
  /** stream bytes read before anyone listened (copies) */
  #pending: Uint8Array[] | undefined
  #closed = false
  /** how the stream is carried, once the handshake is over */
  method: StreamMethod | undefined
  /** the torrent an MSE handshake named (its SKEY); the BitTorrent handshake must agree */
  infoHash: Uint8Array | undefined

  constructor(inner: Duplex, onHandshakeData: (chunk: Uint8Array) => void) {
    super()
    this.#inner = inner
    this.#handshake = onHandshakeData
    this.transientChunks = inner.transientChunks === true
    inner.on('data', (chunk) => this.#onData(chunk))
    inner.on('drain', () => this.emit('drain'))
    inner.on('close', () => { this.#closed = true; this.emit('close') })
    inner.on('error', (err) => { if (this.listenerCount('error') > 0) this.emit('error', err) })
  }

  get closed(): boolean { return this.#closed }

  /** Ends the handshake phase: from now on bytes are the stream. `initial` (already
   * deciphered) is delivered first, once a 'data' listener is attached. */
  open(opts: { method: StreamMethod; infoHash?: Uint8Array | undefined; decrypt: Rc4 | undefined; encrypt: Rc4 | undefined; initial: Uint8Array }): void {
    this.#handshake = undefined
    this.method = opts.method
    this.infoHash = opts.infoHash
    this.#decrypt = opts.decrypt
    this.#encrypt = opts.encrypt
    this.#pending = opts.initial.length > 0 ? [opts.initial] : []
    if (this.listenerCount('data') > 0) queueMicrotask(() => this.#flushPending())
  }

  /** Raw bytes during the handshake (the handshake's own messages). */
  writeRaw(chunk: Uint8Array): boolean { return this.#inner.write(chunk) }

  write(chunk: Uint8Array): boolean {
    if (this.#handshake) throw new Error('MseStream: write before the handshake finished')
    return this.#inner.write(this.#encrypt ? this.#encrypt.processCopy(chunk) : chunk)
  }

  destroy(error?: Error): void { this.#inner.destroy(error) }

  cork(): void { (this.#inner as Partial<Corkable>).cork?.() }
  uncork(): void { (this.#inner as Partial<Corkable>).uncork?.() }

  override on<K extends keyof Events>(event: K, fn: (...args: Events[K]) => void): this {
    super.on(event, fn)
    if (event === 'data' && this.#pending && this.listenerCount('data') === 1) queueMicrotask(() => this.#flushPending())
    return this
  }

  #flushPending(): void {
    const pending = this.#pending
    if (!pending || this.#closed) return
    while (pending.length > 0 && !this.#closed) this.emit('data', pending.shift()!)
    this.#pending = undefined
  }

  #onData(chunk: Uint8Array): void {
    if (this.#handshake) { this.#handshake(chunk); return }
    if (this.#decrypt) this.#decrypt.process(chunk)
    // nobody listens yet, or the initial bytes are still queued: keep order, keep a copy
    if (this.#pending) { this.#pending.push(chunk.slice()); return }
    this.emit('data', chunk)
  }
}
