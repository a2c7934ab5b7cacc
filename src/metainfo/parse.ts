import {
  BencodeError, decode, getBytes, getInt, getList, isBytes, isDict, isList, rawValueSpan, text,
  type BDict, type BValue, type DecodeLimits,
} from '../bencode/index.js'
import { toHex } from '../util/bytes.js'
import { sha1 } from '../util/sha1.js'
import { MetainfoError } from './errors.js'
import { dedupePaths, sanitizeFilePath } from './sanitize.js'
import type { Metainfo, TorrentFileEntry } from './types.js'

/** Limits for decoding metadata. `pieces` is the one big string: 128 MiB holds 6.7 M
 * piece hashes; torrents with 100k+ files need a few million tokens. */
export const METAINFO_LIMITS: Required<DecodeLimits> = {
  maxDepth: 16,
  maxStringLength: 128 * 1024 * 1024,
  maxTokens: 4_000_000,
}
/** No filesystem takes paths this deep (Linux PATH_MAX is 4096 bytes). */
export const MAX_PATH_DEPTH = 1024
/** A piece is held in memory while it is verified, so refuse absurd piece sizes. */
export const MAX_PIECE_LENGTH = 256 * 1024 * 1024

export interface InfoExtras {
  announce?: string[][]
  urlList?: string[]
}

/** Parses a .torrent file (BEP 3). Throws only MetainfoError. */
export function parseTorrent(bytes: Uint8Array): Metainfo {
  return guard(() => {
    const root = decode(bytes, METAINFO_LIMITS)
    if (!isDict(root)) throw new MetainfoError('torrent is not a dictionary')
    const infoDict = root.get('info')
    if (!isDict(infoDict)) throw new MetainfoError('torrent has no info dictionary')
    // The info hash covers the info dictionary byte for byte as written, canonical or not.
    const span = rawValueSpan(bytes, 'info', METAINFO_LIMITS)
    if (span === undefined) throw new MetainfoError('torrent has no info dictionary')
    const info = bytes.slice(span[0], span[1])
    const meta = buildMetainfo(info, infoDict)
    meta.announce = readAnnounce(root)
    meta.urlList = readUrlList(root.get('url-list'))
    const comment = textField(root, 'comment')
    const createdBy = textField(root, 'created by')
    const creationDate = getInt(root, 'creation date')
    if (comment !== undefined) meta.comment = comment
    if (createdBy !== undefined) meta.createdBy = createdBy
    if (creationDate !== undefined) meta.creationDate = creationDate
    return meta
  })
}

/** Parses a bare info dictionary, e.g. one received through ut_metadata (BEP 9).
 * The info hash is the SHA-1 of exactly these bytes. Throws only MetainfoError. */
export function parseInfo(infoBytes: Uint8Array, extras: InfoExtras = {}): Metainfo {
  return guard(() => {
    const info = decode(infoBytes, METAINFO_LIMITS)
    if (!isDict(info)) throw new MetainfoError('info is not a dictionary')
    const meta = buildMetainfo(infoBytes.slice(), info)
    meta.announce = cleanTiers(extras.announce ?? [])
    meta.urlList = [...new Set((extras.urlList ?? []).filter((u) => u !== ''))]
    return meta
  })
}

/** Any failure inside becomes a MetainfoError, so callers need one catch. */
function guard<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof MetainfoError) throw err
    if (err instanceof BencodeError) throw new MetainfoError(`invalid bencode: ${err.message}`)
    throw new MetainfoError(`invalid torrent: ${err instanceof Error ? err.message : String(err)}`)
  }
}

function buildMetainfo(infoBytes: Uint8Array, info: BDict): Metainfo {
  const name = preferUtf8(info, 'name')
  if (name === undefined) throw new MetainfoError('info.name missing or not a string')

  const pieceLength = getInt(info, 'piece length')
  if (pieceLength === undefined) throw new MetainfoError('info["piece length"] missing or not an integer')
  if (pieceLength < 1 || pieceLength > MAX_PIECE_LENGTH) {
    throw new MetainfoError(`piece length ${pieceLength} out of range 1..${MAX_PIECE_LENGTH}`)
  }
  const pieces = getBytes(info, 'pieces')
  if (pieces === undefined && getInt(info, 'meta version') === 2) {
    throw new MetainfoError('this is a BitTorrent v2-only torrent (BEP 52), which swarmstream cannot download yet: it needs a v1 or hybrid torrent')
  }
  if (pieces === undefined) throw new MetainfoError('info.pieces missing or not a string')
  if (pieces.length % 20 !== 0) throw new MetainfoError(`info.pieces length ${pieces.length} is not a multiple of 20`)

  const files = readFiles(info, name)
  const length = files.reduce((sum, f) => sum + f.length, 0)
  if (!Number.isSafeInteger(length)) throw new MetainfoError('total length too large')
  if (length <= 0) throw new MetainfoError('torrent has no data (total length 0)')

  const pieceCount = Math.ceil(length / pieceLength)
  if (pieces.length !== pieceCount * 20) {
    throw new MetainfoError(`info.pieces has ${pieces.length / 20} hashes, expected ${pieceCount} for ${length} bytes`)
  }
  const infoHash = sha1(infoBytes)
  return {
    infoHash,
    infoHashHex: toHex(infoHash),
    infoBytes,
    name,
    pieceLength,
    pieceCount,
    lastPieceLength: length - (pieceCount - 1) * pieceLength,
    pieceHashes: pieces.slice(),
    length,
    files,
    private: getInt(info, 'private') === 1,
    announce: [],
    urlList: [],
  }
}

interface RawFile { rawPath: string[]; length: number; padding: boolean }

/** Single-file (`length`) or multi-file (`files`, BEP 3) layout, with BEP 47 pad files. */
function readFiles(info: BDict, name: string): TorrentFileEntry[] {
  const hasLength = info.has('length')
  const hasFiles = info.has('files')
  if (hasLength === hasFiles) throw new MetainfoError('info must have exactly one of "length" and "files"')
  let raw: RawFile[]
  if (hasLength) {
    raw = [{ rawPath: [name], length: fileLength(info, 'info'), padding: isPad(info) }]
  } else {
    const list = getList(info, 'files')
    if (list === undefined) throw new MetainfoError('info.files is not a list')
    if (list.length === 0) throw new MetainfoError('info.files is empty')
    raw = list.map((entry, i) => readFileEntry(entry, i, name))
  }
  const safe = raw.map((f) => f.padding ? sanitizeFilePath(f.rawPath) : undefined)
  // Pad files are never written, so they take no part in collision renaming.
  const realIndexes = raw.flatMap((f, i) => f.padding ? [] : [i])
  const deduped = dedupePaths(realIndexes.map((i) => sanitizeFilePath(raw[i]!.rawPath)))
  realIndexes.forEach((fileIndex, k) => { safe[fileIndex] = deduped[k] })

  let offset = 0
  return raw.map((f, i) => {
    const path = safe[i]!
    const entry: TorrentFileEntry = {
      path, pathString: path.join('/'), rawPath: f.rawPath, length: f.length, offset, padding: f.padding,
    }
    offset += f.length
    return entry
  })
}

function readFileEntry(entry: BValue, index: number, name: string): RawFile {
  if (!isDict(entry)) throw new MetainfoError(`info.files[${index}] is not a dictionary`)
  const length = fileLength(entry, `info.files[${index}]`)
  const padding = isPad(entry)
  const parts = preferUtf8List(entry, 'path')
  if (parts === undefined || parts.length === 0) {
    // BEP 47: readers should not require a path on pad files.
    if (padding) return { rawPath: [name, '.pad', String(length)], length, padding }
    throw new MetainfoError(`info.files[${index}].path missing, empty or not a list of strings`)
  }
  if (parts.length > MAX_PATH_DEPTH) throw new MetainfoError(`info.files[${index}].path is deeper than ${MAX_PATH_DEPTH}`)
  return { rawPath: [name, ...parts], length, padding }
}

function fileLength(d: BDict, where: string): number {
  const length = getInt(d, 'length')
  if (length === undefined) throw new MetainfoError(`${where}.length missing or not an integer`)
  if (length < 0) throw new MetainfoError(`${where}.length is negative`)
  return length
}

/** BEP 47: attr is a string of flags; 'p' marks a pad file. */
function isPad(d: BDict): boolean {
  const attr = getBytes(d, 'attr')
  return attr !== undefined && attr.includes(0x70)
}

/** `key.utf-8` when present and well-formed, else `key` (BEP 3 fields are UTF-8). */
function preferUtf8(d: BDict, key: string): string | undefined {
  const v = getBytes(d, key + '.utf-8') ?? getBytes(d, key)
  return v === undefined ? undefined : text(v)
}

function preferUtf8List(d: BDict, key: string): string[] | undefined {
  return stringList(d.get(key + '.utf-8')) ?? stringList(d.get(key))
}

function stringList(v: BValue | undefined): string[] | undefined {
  if (!isList(v) || !v.every(isBytes)) return undefined
  return (v as Uint8Array[]).map(text)
}

function textField(d: BDict, key: string): string | undefined {
  const v = getBytes(d, key)
  return v === undefined ? undefined : text(v)
}

/** BEP 12: announce-list wins when it holds any URL; malformed entries outside the info
 * dictionary are skipped rather than fatal, since they do not affect the content. */
function readAnnounce(root: BDict): string[][] {
  const list = getList(root, 'announce-list')
  const tiers = (list ?? []).map((tier) => stringList(tier) ?? (isBytes(tier) ? [text(tier)] : []))
  const cleaned = cleanTiers(tiers)
  if (cleaned.length > 0) return cleaned
  const single = textField(root, 'announce')
  return cleanTiers(single === undefined ? [] : [[single]])
}

/** Trims URLs, drops empties and repeats, drops empty tiers. */
function cleanTiers(tiers: readonly (readonly string[])[]): string[][] {
  const seen = new Set<string>()
  const out: string[][] = []
  for (const tier of tiers) {
    const kept = tier.map((u) => u.trim()).filter((u) => u !== '' && !seen.has(u) && (seen.add(u), true))
    if (kept.length > 0) out.push(kept)
  }
  return out
}

/** BEP 19: url-list is one URL string or a list of them. */
function readUrlList(v: BValue | undefined): string[] {
  const urls = isBytes(v) ? [text(v)] : isList(v) ? v.filter(isBytes).map(text) : []
  return [...new Set(urls.map((u) => u.trim()).filter((u) => u !== ''))]
}
