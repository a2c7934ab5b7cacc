/** A BEP 10 extension plugged into a Wire with `wire.use(ext)` before the handshake.
 * The wire assigns local ids (1, 2, ... in `use` order), advertises them in the `m`
 * dictionary of its extension handshake, and routes incoming messages by those ids. */
import type { BDict, Encodable } from '../bencode/index.js'

export interface WireExtension {
  /** The name in the `m` dictionary, e.g. 'ut_metadata'. */
  readonly name: string
  /** Called with each extension handshake the peer sends (it may send several). */
  onHandshake?(handshake: BDict): void
  /** A message the peer sent to our id for this extension (payload after the id byte).
   * Throwing drops the peer with that error. */
  onMessage(payload: Uint8Array): void
  /** Top-level fields to add to our extension handshake, e.g. `metadata_size` (BEP 9). */
  extendHandshake?(): Record<string, Encodable>
}
