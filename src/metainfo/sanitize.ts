/** Path sanitizing for file names taken from metadata (DESIGN: nothing is ever written
 * outside the download folder). We neutralise rather than reject, so odd but legitimate
 * torrents still download: every component comes out as a plain, non-empty name that is
 * valid on Linux, macOS and Windows alike, so the on-disk layout does not depend on the
 * platform. Joining the result under a root can never leave that root. */

const MAX_COMPONENT_BYTES = 255
/** extensions longer than this are not worth keeping when truncating */
const MAX_KEPT_EXTENSION_BYTES = 32

/** C0/C1 controls, DEL, path separators and characters Windows forbids (`:` also stops
 * drive letters such as `C:` and NTFS alternate streams). */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g
/** Windows device names, reserved with any extension and case (CON, con.txt, LPT1.tar.gz). */
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])[ .]*(\..*)?$/i

/** UTF-8 length without allocating (lone surrogates count as U+FFFD, 3 bytes). */
function byteLength(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++ }
    else n += 3
  }
  return n
}

/** Drops trailing dots and spaces. A loop, not /[. ]+$/, which is quadratic on long runs
 * of spaces followed by another character. */
function trimTrailingDotsSpaces(s: string): string {
  let end = s.length
  while (end > 0 && (s[end - 1] === '.' || s[end - 1] === ' ')) end--
  return s.slice(0, end)
}

/** Cuts `s` to at most `max` UTF-8 bytes without splitting a code point. */
function truncateBytes(s: string, max: number): string {
  let out = ''
  let used = 0
  for (const ch of s) {
    const n = byteLength(ch)
    if (used + n > max) break
    out += ch
    used += n
  }
  return out
}

/** Shortens to 255 UTF-8 bytes, keeping a short extension so the file type survives. */
function capLength(s: string): string {
  if (byteLength(s) <= MAX_COMPONENT_BYTES) return s
  const dot = s.lastIndexOf('.')
  const ext = dot > 0 ? s.slice(dot) : ''
  const extBytes = byteLength(ext)
  if (ext !== '' && extBytes <= MAX_KEPT_EXTENSION_BYTES) {
    return trimTrailingDotsSpaces(truncateBytes(s.slice(0, dot), MAX_COMPONENT_BYTES - extBytes)) + ext
  }
  return truncateBytes(s, MAX_COMPONENT_BYTES)
}

/** Makes one path component safe: never empty, `.` or `..`, no separators, no drive
 * letters, no control characters, no Windows device names, no trailing dots or spaces
 * (Windows strips them, which could merge two names), at most 255 UTF-8 bytes. */
export function sanitizePathComponent(s: string): string {
  let out = s.replace(UNSAFE_CHARS, '_')
  out = trimTrailingDotsSpaces(out)
  if (RESERVED_NAME.test(out)) out = '_' + out
  out = trimTrailingDotsSpaces(capLength(out))
  return out === '' ? '_' : out
}

/** Sanitizes every component; an empty path becomes ['_']. */
export function sanitizeFilePath(components: readonly string[]): string[] {
  if (components.length === 0) return ['_']
  return components.map(sanitizePathComponent)
}

/** `name (n).ext`, still within the length cap. */
function withCounter(name: string, n: number): string {
  const dot = name.lastIndexOf('.')
  const hasExt = dot > 0 && byteLength(name.slice(dot)) <= MAX_KEPT_EXTENSION_BYTES
  const base = hasExt ? name.slice(0, dot) : name
  const ext = hasExt ? name.slice(dot) : ''
  const tag = ` (${n})`
  return truncateBytes(base, MAX_COMPONENT_BYTES - byteLength(tag) - byteLength(ext)) + tag + ext
}

/** Case- and normalization-insensitive key: on Windows and macOS `A.txt`, `a.txt` and the
 * NFD spelling of `é` are the same file. */
const fold = (name: string): string => name.normalize('NFC').toLowerCase()
const childKey = (parentKey: string, name: string): string => parentKey + '/' + fold(name)

/** Renames sanitized paths so no two files share a path and no file sits where another
 * file needs a directory (appending ` (1)`, ` (2)`…). Earlier entries keep their names;
 * files under a renamed directory follow it consistently. Paths must be sanitized.
 * Keys are built incrementally and counters remembered, so hostile inputs (deep paths,
 * 100k identical names) stay near linear. */
export function dedupePaths(paths: readonly (readonly string[])[]): string[][] {
  const files = new Set<string>()
  const dirs = new Set<string>()
  /** (resolved parent key, wanted dir name) -> name used on disk */
  const dirNames = new Map<string, string>()
  /** next counter to try per wanted name */
  const counters = new Map<string, number>()
  const freeName = (parentKey: string, wanted: string, taken: (key: string) => boolean): string => {
    const wantedKey = childKey(parentKey, wanted)
    if (!taken(wantedKey)) return wanted
    let n = counters.get(wantedKey) ?? 1
    while (taken(childKey(parentKey, withCounter(wanted, n)))) n++
    counters.set(wantedKey, n + 1)
    return withCounter(wanted, n)
  }
  return paths.map((path) => {
    const out: string[] = []
    let key = ''
    for (let i = 0; i < path.length - 1; i++) {
      const wanted = path[i]!
      const aliasKey = key + '\u0000' + fold(wanted)
      let name = dirNames.get(aliasKey)
      if (name === undefined) {
        name = freeName(key, wanted, (k) => files.has(k))
        dirNames.set(aliasKey, name)
        dirs.add(childKey(key, name))
      }
      out.push(name)
      key = childKey(key, name)
    }
    const leaf = freeName(key, path[path.length - 1] ?? '_', (k) => files.has(k) || dirs.has(k))
    out.push(leaf)
    files.add(childKey(key, leaf))
    return out
  })
}
