export interface TorrentFileEntry {
  /** Sanitized path components, torrent name first for multi-file torrents
   * (e.g. ['album', 'cd1', 'a.mp3']); single-file torrents: [name]. Safe to join under a
   * download folder; unique within the torrent (ignoring case). */
  path: string[]
  /** path.join('/') */
  pathString: string
  /** The components as written in the metadata (name first, UTF-8 decoded, unsanitized).
   * Only for building BEP 19 web seed URLs; never use it for the filesystem. */
  rawPath: string[]
  length: number
  /** byte offset of this file within the whole torrent */
  offset: number
  /** BEP 47 attr 'p': a pad file, all zeros, never written to disk */
  padding: boolean
}

export interface Metainfo {
  infoHash: Uint8Array
  infoHashHex: string
  /** the info dictionary exactly as received (SHA-1 of it == infoHash) */
  infoBytes: Uint8Array
  name: string
  pieceLength: number
  pieceCount: number
  lastPieceLength: number
  /** 20 * pieceCount bytes */
  pieceHashes: Uint8Array
  /** total bytes */
  length: number
  files: TorrentFileEntry[]
  private: boolean
  /** tiers (BEP 12); a lone `announce` becomes [[url]] */
  announce: string[][]
  /** BEP 19 web seeds */
  urlList: string[]
  comment?: string
  createdBy?: string
  creationDate?: number
}
