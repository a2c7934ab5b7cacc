import type { Wire } from '../wire/index.js'
import type { Clock } from '../util/clock.js'

/** Calls `onHandshake` with the info hash the peer names, or drops the peer if it names none
 * within `timeoutMs`: a silent connection must not hold a slot. */
export function awaitHandshake(wire: Wire, clock: Clock, onHandshake: (infoHash: Uint8Array) => void, timeoutMs = 15_000): void {
  const timer = clock.setTimeout(() => wire.destroy(new Error('no handshake in time')), timeoutMs)
  wire.once('close', () => timer.cancel())
  wire.once('handshake', (infoHash: Uint8Array) => { timer.cancel(); onHandshake(infoHash) })
}
