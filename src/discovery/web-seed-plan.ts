/** The pure parts of a web seed (BEP 19): where each file is on the server, which of our
 * block requests one HTTP GET can carry, and whether a Content-Range says what we asked.
 * No I/O. */

/** What URL joining needs of a file (a metainfo TorrentFileEntry fits). */
export interface WebSeedFile {
  /** the components as written in the metadata, torrent name first for multi-file torrents */
  rawPath: string[]
  length: number
  padding: boolean
}

/** The URL of each file on a web seed, undefined for BEP 47 pad files (never on a server).
 * BEP 19: for a single-file torrent the URL is the file itself, unless it ends in "/", when
 * the torrent's name is added; for a multi-file torrent it is a folder, to which the name
 * and the file's path are added ("/" is supplied when missing, as other clients do). Each
 * component is percent-encoded, so a name with "?", "#" or "/" cannot change the URL's
 * shape. */
export function webSeedFileUrls(base: string, files: readonly WebSeedFile[]): (string | undefined)[] {
  const multi = files.some((f) => f.rawPath.length > 1)
  const join = (parts: readonly string[]) => parts.map((p) => encodeURIComponent(p)).join('/')
  return files.map((f) => {
    if (f.padding) return undefined
    if (!multi) return base.endsWith('/') ? base + join(f.rawPath) : base
    return (base.endsWith('/') ? base : base + '/') + join(f.rawPath)
  })
}

/** One block request, with its place in the torrent's bytes. */
export interface SeedRequest {
  index: number
  offset: number
  length: number
  /** index * pieceLength + offset */
  start: number
  /** the requester cancelled it after it went into a GET: read, but not answered */
  cancelled?: boolean
}

/** Takes from `pending` (keyed by `start`, oldest first) the oldest request and every
 * request contiguous with it on either side, across piece (and file) boundaries, up to
 * `maxBytes`: the blocks one ranged GET fetches. The oldest goes first because the engine
 * asks for the most urgent blocks first. Returns them in byte order, removed from `pending`. */
export function takeRun(pending: Map<number, SeedRequest>, maxBytes: number): SeedRequest[] {
  const first = pending.values().next().value
  if (!first) return []
  pending.delete(first.start)
  const run = [first]
  let bytes = first.length
  let end = first.start + first.length
  let start = first.start
  for (let next = pending.get(end); next && bytes + next.length <= maxBytes; next = pending.get(end)) {
    pending.delete(next.start)
    run.push(next)
    bytes += next.length
    end += next.length
  }
  const before: SeedRequest[] = []
  for (let prev = findEndingAt(pending, start); prev && bytes + prev.length <= maxBytes; prev = findEndingAt(pending, start)) {
    pending.delete(prev.start)
    before.push(prev)
    bytes += prev.length
    start = prev.start
  }
  return before.length === 0 ? run : [...before.reverse(), ...run]
}

/** Blocks are 16 KiB but the last block of a piece may be shorter: look both ways. */
function findEndingAt(pending: Map<number, SeedRequest>, end: number): SeedRequest | undefined {
  for (const size of [16384, 8192, 32768]) {
    const r = pending.get(end - size)
    if (r && r.start + r.length === end) return r
  }
  for (const r of pending.values()) if (r.start + r.length === end) return r
  return undefined
}

/** `Content-Range: bytes first-last/total` (RFC 9110 14.4); total may be "*". Undefined when
 * the header is missing or malformed. */
export function parseContentRange(header: string | null): { first: number; last: number; total: number | undefined } | undefined {
  const m = /^\s*bytes\s+(\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)\s*$/i.exec(header ?? '')
  if (!m) return undefined
  const first = Number(m[1]), last = Number(m[2])
  const total = m[3] === '*' ? undefined : Number(m[3])
  if (last < first || (total !== undefined && last >= total)) return undefined
  return { first, last, total }
}
