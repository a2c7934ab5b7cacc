import { Emitter } from '../../src/util/emitter.js'
import type { Duplex } from '../../src/transport/types.js'

type Events = { data: [Uint8Array]; drain: []; close: []; error: [Error] }

/** Two in-memory Duplex ends wired to each other, delivering asynchronously like a socket. */
class MemoryEnd extends Emitter<Events> implements Duplex {
  other!: MemoryEnd
  closed = false
  write(chunk: Uint8Array): boolean {
    if (this.closed) return false
    const copy = chunk.slice()
    queueMicrotask(() => { if (!this.other.closed) this.other.emit('data', copy) })
    return true
  }
  destroy(): void {
    if (this.closed) return
    this.closed = true
    queueMicrotask(() => { this.emit('close'); if (!this.other.closed) this.other.destroy() })
  }
}

export function duplexPair(): [Duplex & MemoryEnd, Duplex & MemoryEnd] {
  const a = new MemoryEnd(), b = new MemoryEnd()
  a.other = b; b.other = a
  return [a, b]
}
