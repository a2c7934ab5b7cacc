/** Incremental peer wire parser: feed it chunks exactly as they come off the transport,
 * get whole typed messages back. A message that lies inside one chunk is returned as a
 * view of that chunk (no copy: piece blocks stay zero-copy); only a message split across
 * chunks is gathered into a fresh buffer, once, when its last byte has arrived. */
import { WireError } from './errors.js'
import { decodeHandshake, decodeMessage, HANDSHAKE_LENGTH, readU32, type Handshake, type Message } from './messages.js'

export type ParsedMessage = Message | { type: 'handshake'; handshake: Handshake }

export interface ParserOptions {
  /** Longest message body accepted (id + payload). The default fits a 1 MiB payload, which
   * covers 128 KiB blocks and the bitfield of an 8-million-piece torrent. */
  maxMessageLength?: number
  /** Expect the 68-byte handshake (BEP 3) before the first message. Default true. */
  handshake?: boolean
  /** The transport reuses its read buffer: a chunk is valid only during push(). Bytes of a
   * message still incomplete at the end of push() are then copied out. */
  transient?: boolean
}

export const DEFAULT_MAX_MESSAGE_LENGTH = 1024 * 1024 + 13

export class WireParser {
  readonly maxMessageLength: number
  /** Messages with ids we do not know: ignored as BEP 3 asks, but counted. */
  unknownMessages = 0
  readonly #chunks: Uint8Array[] = []
  #head = 0          // read position inside #chunks[0]
  #buffered = 0      // unread bytes across #chunks
  #state: 'handshake' | 'length' | 'body'
  #need: number
  readonly #transient: boolean

  constructor(opts: ParserOptions = {}) {
    this.maxMessageLength = opts.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH
    const handshake = opts.handshake ?? true
    this.#state = handshake ? 'handshake' : 'length'
    this.#need = handshake ? HANDSHAKE_LENGTH : 4
    this.#transient = opts.transient ?? false
  }

  /** Bytes received but not yet part of a whole message. */
  get buffered(): number { return this.#buffered }

  /** Parses what `chunk` completes. The chunk must not be changed afterwards: returned
   * messages may be views of it. Throws WireError on malformed input; the parser is then
   * unusable (the connection should be dropped). */
  push(chunk: Uint8Array): ParsedMessage[] {
    const out: ParsedMessage[] = []
    if (chunk.length === 0) return out
    this.#chunks.push(chunk)
    this.#buffered += chunk.length
    // A wrong first byte means this is not BitTorrent: fail now, not after 68 bytes.
    if (this.#state === 'handshake' && this.#peekByte() !== HANDSHAKE_LENGTH - 49) {
      throw new WireError('not a BitTorrent handshake', 'malformed')
    }
    while (this.#buffered >= this.#need) {
      if (this.#state === 'length') {
        const length = this.#readLength()
        if (length > this.maxMessageLength) {
          throw new WireError(`message of ${length} bytes exceeds the limit of ${this.maxMessageLength}`, 'oversize')
        }
        if (length === 0) { out.push({ type: 'keepalive' }); continue }
        this.#state = 'body'
        this.#need = length
      } else if (this.#state === 'body') {
        const message = decodeMessage(this.#take(this.#need))
        this.#state = 'length'
        this.#need = 4
        if (message) out.push(message)
        else this.unknownMessages++
      } else {
        out.push({ type: 'handshake', handshake: decodeHandshake(this.#take(HANDSHAKE_LENGTH)) })
        this.#state = 'length'
        this.#need = 4
      }
    }
    if (this.#transient && this.#buffered > 0) this.#keepRemainder()
    return out
  }

  /** Copies the unread bytes into one buffer of our own (the chunks are about to be reused). */
  #keepRemainder(): void {
    const rest = new Uint8Array(this.#buffered)
    let off = 0
    for (const [i, c] of this.#chunks.entries()) {
      const part = i === 0 ? c.subarray(this.#head) : c
      rest.set(part, off)
      off += part.length
    }
    this.#chunks.length = 0
    this.#chunks.push(rest)
    this.#head = 0
  }

  #peekByte(): number {
    return this.#chunks[0]![this.#head]!
  }

  #readLength(): number {
    const first = this.#chunks[0]!
    if (first.length - this.#head >= 4) {
      const v = readU32(first, this.#head)
      this.#advance(4)
      return v
    }
    return readU32(this.#take(4), 0)
  }

  #advance(n: number): void {
    this.#head += n
    this.#buffered -= n
    if (this.#head === this.#chunks[0]!.length) { this.#chunks.shift(); this.#head = 0 }
  }

  /** The next n buffered bytes (n <= buffered): a view when they sit in one chunk. */
  #take(n: number): Uint8Array {
    const first = this.#chunks[0]!
    if (first.length - this.#head >= n) {
      const view = first.subarray(this.#head, this.#head + n)
      this.#advance(n)
      return view
    }
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const c = this.#chunks[0]!
      const k = Math.min(n - filled, c.length - this.#head)
      out.set(c.subarray(this.#head, this.#head + k), filled)
      filled += k
      this.#advance(k)
    }
    return out
  }
}
