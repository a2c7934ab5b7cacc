/** Two in-process Duplex ends joined to each other, for peers that live inside this process
 * (a web seed presented as a peer, BEP 19). Delivery is asynchronous (a microtask), as on a
 * socket, so neither side's handlers run inside the other's write. Chunks are passed as they
 * are, not copied: writers must not change a chunk after writing it (the wire's outbox
 * never does). Platform-neutral. */
import { Emitter } from '../util/emitter.js'
import type { Duplex } from './types.js'

type EndEvents = { data: [Uint8Array]; drain: []; close: []; error: [Error] }

export class MemoryDuplex extends Emitter<EndEvents> implements Duplex {
  #other: MemoryDuplex | undefined
  #closed = false
  /** why this end was destroyed, if it was given a reason */
  error: Error | undefined

  get closed(): boolean { return this.#closed }

  write(chunk: Uint8Array): boolean {
    const other = this.#other
    if (this.#closed || !other) return false
    queueMicrotask(() => { if (!other.#closed) other.emit('data', chunk) })
    return true
  }

  /** Closes both ends; each emits 'close' once, after anything written before it arrived. */
  destroy(error?: Error): void {
    if (this.#closed) return
    this.#closed = true
    this.error ??= error
    queueMicrotask(() => {
      this.emit('close')
      this.#other?.destroy()
    })
  }

  static pair(): [MemoryDuplex, MemoryDuplex] {
    const a = new MemoryDuplex(), b = new MemoryDuplex()
    a.#other = b
    b.#other = a
    return [a, b]
  }
}
