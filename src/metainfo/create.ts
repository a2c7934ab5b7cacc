import { encode, type Encodable } from '../bencode/index.js'
import type { Hasher } from '../util/hasher.js'
import { MetainfoError } from './errors.js'
import { parseTorrent } from './parse.js'
import type { Metainfo } from './types.js'

export interface CreateInput {
  path: string[]
  length: number
}

export interface CreateOptions {
  name: string
  /** single-file torrent when there is one file with a one-component path (unless singleFile is false) */
  files: CreateInput[]
  /** must resolve to exactly `length` bytes of file `fileIndex` starting at `offset` */
  read: (fileIndex: number, offset: number, length: number) => Promise<Uint8Array>
  hasher: Hasher
  pieceLength?: number
  announce?: string[][]
  urlList?: string[]
  private?: boolean
  comment?: string
  createdBy?: string
  /** seconds since the epoch; defaults to now */
  creationDate?: number
  singleFile?: boolean
  onProgress?: (hashedBytes: number, totalBytes: number) => void
  signal?: AbortSignal
}

const MIN_PIECE = 16 * 1024
const MAX_PIECE = 16 * 1024 * 1024
const TARGET_MAX_PIECES = 2000
/** how much file data one read() asks for */
const READ_CHUNK = 4 * 1024 * 1024

/** Power of two between 16 KiB and 16 MiB giving at most ~2000 pieces, so usually
 * 1000–2000 (the range qBittorrent and libtorrent aim for). */
export function choosePieceLength(totalLength: number): number {
  let p = MIN_PIECE
  while (p < MAX_PIECE && totalLength / p > TARGET_MAX_PIECES) p *= 2
  return p
}

/** Builds a v1 .torrent (BEP 3, 12, 19, 27), hashing the files as one byte stream in large
 * sequential reads: pieces span file boundaries. The info dictionary is canonical bencode,
 * so any other client derives the same info hash from the same content and options. */
export async function createTorrent(opts: CreateOptions): Promise<{ torrent: Uint8Array; metainfo: Metainfo }> {
  validate(opts)
  const total = opts.files.reduce((n, f) => n + f.length, 0)
  if (!Number.isSafeInteger(total) || total <= 0) throw new MetainfoError('cannot create a torrent with no data')
  const pieceLength = opts.pieceLength ?? choosePieceLength(total)
  if (!Number.isSafeInteger(pieceLength) || pieceLength < 1) throw new MetainfoError(`invalid piece length ${pieceLength}`)

  const pieces = await hashPieces(opts, total, pieceLength)
  const single = opts.singleFile !== false && opts.files.length === 1 && opts.files[0]!.path.length === 1
  const info: Record<string, Encodable | undefined> = {
    name: opts.name,
    'piece length': pieceLength,
    pieces,
    private: opts.private === true ? 1 : undefined,
  }
  if (single) info.length = total
  else info.files = opts.files.map((f) => ({ length: f.length, path: f.path }))

  const tiers = (opts.announce ?? []).map((t) => t.filter((u) => u !== '')).filter((t) => t.length > 0)
  const urlList = (opts.urlList ?? []).filter((u) => u !== '')
  const torrent = encode({
    announce: tiers[0]?.[0],
    // BEP 12: only worth writing when there is more than one tracker
    'announce-list': tiers.flat().length > 1 ? tiers : undefined,
    comment: opts.comment,
    'created by': opts.createdBy ?? 'swarmstream/0.1',
    'creation date': opts.creationDate ?? Math.floor(Date.now() / 1000),
    info,
    'url-list': urlList.length === 0 ? undefined : urlList.length === 1 ? urlList[0] : urlList,
  })
  return { torrent, metainfo: parseTorrent(torrent) }
}

function validate(opts: CreateOptions): void {
  if (opts.name === '') throw new MetainfoError('torrent name must not be empty')
  if (opts.files.length === 0) throw new MetainfoError('torrent needs at least one file')
  opts.files.forEach((f, i) => {
    if (!Number.isSafeInteger(f.length) || f.length < 0) throw new MetainfoError(`file ${i} has invalid length ${f.length}`)
    // Other clients would have to rename such components (see sanitize.ts), so refuse them here.
    if (f.path.length === 0 || f.path.some((c) => c === '' || c === '.' || c === '..' || c.includes('/'))) {
      throw new MetainfoError(`file ${i} has an empty, "." or ".." path component or one containing "/"`)
    }
  })
}

/** Streams all files in order through a buffer of whole pieces and hashes each piece. */
async function hashPieces(opts: CreateOptions, total: number, pieceLength: number): Promise<Uint8Array> {
  const pieceCount = Math.ceil(total / pieceLength)
  const out = new Uint8Array(pieceCount * 20)
  const piecesPerChunk = Math.max(1, Math.floor(READ_CHUNK / pieceLength))
  const buffer = new Uint8Array(Math.min(total, piecesPerChunk * pieceLength))
  let fill = 0
  let hashed = 0
  let piece = 0

  const flush = async (): Promise<void> => {
    for (let start = 0; start < fill; start += pieceLength) {
      const digest = await opts.hasher.sha1(buffer.subarray(start, Math.min(fill, start + pieceLength)))
      out.set(digest, piece++ * 20)
    }
    hashed += fill
    fill = 0
    opts.onProgress?.(hashed, total)
  }

  for (let index = 0; index < opts.files.length; index++) {
    const length = opts.files[index]!.length
    for (let offset = 0; offset < length;) {
      opts.signal?.throwIfAborted()
      const want = Math.min(length - offset, buffer.length - fill)
      const data = await opts.read(index, offset, want)
      if (data.length !== want) throw new MetainfoError(`file ${index} returned ${data.length} bytes, expected ${want} (changed while hashing?)`)
      buffer.set(data, fill)
      fill += want
      offset += want
      if (fill === buffer.length) await flush()
    }
  }
  if (fill > 0) await flush()
  return out
}
