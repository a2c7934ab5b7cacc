/** Where a torrent's bytes live. The engine addresses data by piece; a backend maps that to
 * files (fs.node.ts), memory (memory.ts) or browser stores. Kept minimal so every backend
 * can pass one shared test suite. */

/** One file of the torrent, in metadata order. Structurally a subset of metainfo's
 * TorrentFileEntry, so a parsed Metainfo can be passed as-is without storage importing it. */
export interface StorageFile {
  /** Already sanitized path components (metainfo does that); joined under the storage root. */
  path: string[]
  length: number
  /** Byte offset of this file within the whole torrent (files are contiguous). */
  offset: number
  /** BEP 47 pad file: all zeros, never written; reads give zeros. */
  padding?: boolean
}

export interface StorageLayout {
  pieceLength: number
  /** Total bytes of the torrent (sum of file lengths). */
  length: number
  files: StorageFile[]
}

export type StorageErrorCode =
  /** The data is not there (file missing, piece never written): "not present" to verification. */
  | 'missing'
  /** Piece index / offset / length outside the layout. */
  | 'range'
  /** A resolved file path would leave the storage root. */
  | 'escape'
  /** Used after close() / destroy(). */
  | 'closed'
  /** Any other I/O failure (disk full, permissions...); `cause` holds the original. */
  | 'io'

export class StorageError extends Error {
  override name = 'StorageError'
  constructor(readonly code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

export interface Storage {
  /** Writes `data` at `offset` within piece `index`. Whole verified pieces or single blocks. */
  write(index: number, offset: number, data: Uint8Array): Promise<void>
  /** Reads `length` bytes at `offset` within piece `index`. Throws StorageError('missing')
   * when the data was never stored; see each backend for partially written data. */
  read(index: number, offset: number, length: number): Promise<Uint8Array>
  /** Makes written data durable (fsync for files). */
  flush?(): Promise<void>
  /** Releases handles; later calls throw StorageError('closed'). */
  close(): Promise<void>
  /** Closes and deletes the stored data. */
  destroy?(): Promise<void>
  /** Optional cheap pre-check for verification: false means the piece cannot be there (its
   * file is missing or too short), so it need not be read. verifyStorage uses it when present. */
  possiblyPresent?(): Promise<(index: number) => boolean>
  /** Which files the user wants: a backend with files creates no others (FsStorage keeps
   * pieces touching them aside) and moves those pieces into place when a file is selected. */
  setSelection?(selected: (fileIndex: number) => boolean): Promise<void>
}
