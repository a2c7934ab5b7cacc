import { Emitter } from '../../util/emitter.js'
import type { Duplex } from '../types.js'

type Events = { data: [Uint8Array]; drain: []; close: []; error: [Error] }

export interface ChannelDuplexOptions {
  highWaterMark?: number
  maxMessageSize?: number
}

/** An open RTCDataChannel presented as a Duplex, so the wire runs over it exactly as over a
 * TCP socket. Backpressure comes from `bufferedAmount` and the `bufferedamountlow` event;
 * the duplex owns the peer connection and closes it with the channel. */
export class ChannelDuplex extends Emitter<Events> implements Duplex {
  readonly #channel: RTCDataChannel
  readonly #pc: RTCPeerConnection
  readonly #highWaterMark: number
  readonly #maxMessage: number
  #needDrain = false
  #closed = false
  #pending: Uint8Array[] = []
  #pendingBytes = 0
  #flushQueued = false

  constructor(channel: RTCDataChannel, pc: RTCPeerConnection, opts: ChannelDuplexOptions = {}) {
    super()
    this.#channel = channel
    this.#pc = pc
    this.#highWaterMark = opts.highWaterMark ?? 1024 * 1024
    this.#maxMessage = opts.maxMessageSize ?? 64 * 1024
    channel.binaryType = 'arraybuffer'
    channel.bufferedAmountLowThreshold = Math.floor(this.#highWaterMark / 2)
    channel.onmessage = (e: MessageEvent) => this.#onMessage(e.data)
    channel.onbufferedamountlow = () => {
      if (this.#needDrain && !this.#closed) { this.#needDrain = false; this.emit('drain') }
    }
    channel.onclose = () => this.destroy()
    channel.onerror = (e: Event) => this.destroy(new Error(`data channel error: ${errorText(e)}`))
    pc.onconnectionstatechange = () => {
      const s = pc.connectionState
      if (s === 'failed' || s === 'closed') this.destroy(s === 'failed' ? new Error('peer connection failed') : undefined)
    }
  }

  get closed(): boolean { return this.#closed }
  get bufferedAmount(): number { return this.#closed ? 0 : this.#channel.bufferedAmount }

  /** Writes made in one turn of the event loop go out together, as few messages as fit in
   * the message size: a block message then needs one SCTP message, not a header and a body. */
  write(chunk: Uint8Array): boolean {
    if (this.#closed) return false
    if (chunk.length === 0) return true
    this.#pending.push(chunk.slice()) // a copy: callers may reuse their buffers
    this.#pendingBytes += chunk.length
    if (!this.#flushQueued) { this.#flushQueued = true; queueMicrotask(() => this.#flush()) }
    if (this.#channel.bufferedAmount + this.#pendingBytes >= this.#highWaterMark) { this.#needDrain = true; return false }
    return true
  }

  #flush(): void {
    this.#flushQueued = false
    if (this.#closed) return
    const chunks = this.#pending
    const total = this.#pendingBytes
    this.#pending = []
    this.#pendingBytes = 0
    try {
      // Larger messages than the remote accepts would close the channel (max-message-size).
      let i = 0, offset = 0
      for (let left = total; left > 0;) {
        const size = Math.min(left, this.#maxMessage)
        const msg = new Uint8Array(size)
        for (let filled = 0; filled < size;) {
          const c = chunks[i]!
          const n = Math.min(c.length - offset, size - filled)
          msg.set(c.subarray(offset, offset + n), filled)
          filled += n; offset += n
          if (offset === c.length) { i++; offset = 0 }
        }
        this.#channel.send(msg)
        left -= size
      }
    } catch (err) {
      this.destroy(err instanceof Error ? err : new Error(String(err)))
      return
    }
    // 'bufferedamountlow' only fires on the way down: if what was pending went out without
    // filling the channel, nobody else would say the writer may go on.
    if (this.#needDrain && this.#channel.bufferedAmount <= this.#channel.bufferedAmountLowThreshold) {
      this.#needDrain = false
      this.emit('drain')
    }
  }

  destroy(error?: Error): void {
    if (this.#closed) return
    this.#closed = true
    const ch = this.#channel
    ch.onmessage = null; ch.onbufferedamountlow = null; ch.onclose = null; ch.onerror = null
    this.#pc.onconnectionstatechange = null
    try { ch.close() } catch { /* already closed */ }
    try { this.#pc.close() } catch { /* already closed */ }
    queueMicrotask(() => {
      if (error && this.listenerCount('error') > 0) this.emit('error', error)
      this.emit('close')
    })
  }

  #onMessage(data: unknown): void {
    if (this.#closed) return
    if (data instanceof ArrayBuffer) this.emit('data', new Uint8Array(data))
    else if (ArrayBuffer.isView(data)) this.emit('data', new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    // BitTorrent over a data channel is binary only; a text frame is a broken peer.
    else this.destroy(new Error('text message on a BitTorrent data channel'))
  }
}

function errorText(e: Event): string {
  const err = (e as Event & { error?: { message?: string } }).error
  return err?.message ?? e.type
}
