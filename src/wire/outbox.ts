/** Outgoing bytes of one wire, batched: messages queued in the same tick leave together
 * at the end of it (a microtask), small ones merged into one buffer, large ones (blocks)
 * passed through untouched. On transports that can cork (net.Socket), a batch is one
 * writev system call instead of one write per message. */
import type { Duplex } from '../transport/types.js'

/** Parts smaller than this are copied into a shared buffer; larger ones go as they are. */
const SMALL = 1024
/** Flush at once rather than at the end of the tick past this many queued bytes. */
const FLUSH_AT = 256 * 1024

interface Corkable { cork(): void; uncork(): void }
const canCork = (c: object): c is Corkable =>
  typeof (c as Partial<Corkable>).cork === 'function' && typeof (c as Partial<Corkable>).uncork === 'function'

export class Outbox {
  readonly #conn: Duplex
  #parts: Uint8Array[] = []
  #bytes = 0
  #scheduled = false
  #blocked = false
  #closed = false

  constructor(conn: Duplex) {
    this.#conn = conn
  }

  /** True after the transport said its buffer is full, until it drains. */
  get blocked(): boolean { return this.#blocked }

  /** Queues bytes. They are not copied, so the caller must not change them afterwards. */
  push(part: Uint8Array): void {
    if (this.#closed || part.length === 0) return
    this.#parts.push(part)
    this.#bytes += part.length
    if (this.#bytes >= FLUSH_AT) this.flush()
    else if (!this.#scheduled) {
      this.#scheduled = true
      queueMicrotask(() => { this.#scheduled = false; this.flush() })
    }
  }

  /** The transport drained: writes are welcome again. */
  drained(): void { this.#blocked = false }

  flush(): void {
    if (this.#closed || this.#parts.length === 0) return
    const parts = this.#parts
    this.#parts = []
    this.#bytes = 0
    const conn = this.#conn
    const cork = parts.length > 1 && canCork(conn)
    if (cork) conn.cork()
    let ok = true
    for (let i = 0; i < parts.length;) {
      // gather a run of small parts into one buffer
      let j = i, size = 0
      while (j < parts.length && parts[j]!.length < SMALL) size += parts[j++]!.length
      if (j - i > 1) {
        const merged = new Uint8Array(size)
        for (let off = 0; i < j; i++) { merged.set(parts[i]!, off); off += parts[i]!.length }
        ok = conn.write(merged) && ok
      } else {
        ok = conn.write(parts[i]!) && ok
        i++
      }
    }
    if (cork) conn.uncork()
    if (!ok) this.#blocked = true
  }

  /** Drops anything queued; later pushes are ignored. */
  close(): void {
    this.#closed = true
    this.#parts = []
    this.#bytes = 0
  }
}
