import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { dedupePaths, sanitizeFilePath, sanitizePathComponent } from '../../src/metainfo/index.js'

const ROOT = path.resolve('/srv/downloads')
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

/** The guarantee: joined under a root, the result is strictly inside it, on either flavour
 * of path semantics, and no component is special. */
function assertContained(components: string[]): void {
  const out = sanitizeFilePath(components)
  assert.ok(out.length >= 1)
  for (const c of out) {
    assert.ok(c !== '' && c !== '.' && c !== '..', `bad component ${JSON.stringify(c)}`)
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(c, /[/\\:\u0000-\u001f]/)
    assert.ok(bytes(c) <= 255)
    assert.doesNotMatch(c, /[. ]$/)
  }
  const posix = path.posix.resolve(ROOT, ...out)
  assert.ok(posix.startsWith(ROOT + '/'), `${JSON.stringify(components)} escaped to ${posix}`)
  const winRoot = 'C:\\downloads'
  const win = path.win32.resolve(winRoot, ...out)
  assert.ok(win.startsWith(winRoot + '\\'), `${JSON.stringify(components)} escaped to ${win}`)
}

const HOSTILE: string[][] = [
  ['..'], ['.'], [''], ['..', '..', 'etc', 'passwd'], ['../'], ['..\\'], ['/etc/passwd'], ['\\\\server\\share'],
  ['C:\\x'], ['C:'], ['c:foo'], ['a/../../b'], ['a\\..\\..\\b'], ['...'], ['. .'], [' '], ['..', ''],
  ['CON'], ['CON.txt'], ['con.tar.gz'], ['nul'], ['Com1'], ['LPT9.log'], ['aux .txt'], ['PRN.'],
  ['a\u0000b'], ['\u0000'], ['tab\there'], ['line\nbreak'], ['\u007f\u0085'], ['ends with dot.'], ['ends with space '],
  ['x'.repeat(300)], ['é'.repeat(200) + '.mkv'], ['😀'.repeat(100)], ['a'.repeat(250) + '.' + 'b'.repeat(40)],
  ['file:stream'], ['what?*<>|"'], ['\u202eevil.exe'], ['日本語', 'ファイル.txt'], [], ['/', '/', '/'],
]

test('hostile inputs never escape the root', () => {
  for (const input of HOSTILE) assertContained(input)
})

test('random junk components never escape the root', () => {
  const alphabet = ['.', '..', '/', '\\', ':', 'C', 'a', ' ', '\u0000', 'é', '😀', 'CON', '\n', '~']
  let seed = 42
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  for (let i = 0; i < 3000; i++) {
    const comps = Array.from({ length: 1 + rand(4) }, () =>
      Array.from({ length: rand(8) }, () => alphabet[rand(alphabet.length)]!).join(''))
    assertContained(comps)
  }
})

test('specific neutralisations', () => {
  assert.equal(sanitizePathComponent('..'), '_')
  assert.equal(sanitizePathComponent('.'), '_')
  assert.equal(sanitizePathComponent(''), '_')
  assert.equal(sanitizePathComponent('a/../../b'), 'a_.._.._b')
  assert.equal(sanitizePathComponent('C:\\x'), 'C__x')
  assert.equal(sanitizePathComponent('CON.txt'), '_CON.txt')
  assert.equal(sanitizePathComponent('lpt1'), '_lpt1')
  assert.equal(sanitizePathComponent('console.txt'), 'console.txt')
  assert.equal(sanitizePathComponent('a\u0000b'), 'a_b')
  assert.equal(sanitizePathComponent('name. . '), 'name')
  assert.equal(sanitizePathComponent('.hidden'), '.hidden')
  assert.equal(sanitizePathComponent('Ünïcødé 日本 😀.mp3'), 'Ünïcødé 日本 😀.mp3')
  assert.deepEqual(sanitizeFilePath(['/etc/passwd']), ['_etc_passwd'])
  assert.deepEqual(sanitizeFilePath([]), ['_'])
})

test('overlong components are cut to 255 UTF-8 bytes keeping the extension', () => {
  const long = sanitizePathComponent('é'.repeat(200) + '.mkv')
  assert.ok(bytes(long) <= 255)
  assert.ok(long.endsWith('é.mkv'))
  const emoji = sanitizePathComponent('😀'.repeat(100))
  assert.equal(emoji, '😀'.repeat(63)) // 4 bytes each, no split surrogate
})

test('dedupePaths: exact, case-insensitive and file-vs-directory collisions', () => {
  assert.deepEqual(dedupePaths([['t', 'a.txt'], ['t', 'a.txt'], ['t', 'A.TXT'], ['t', 'a (1).txt']]),
    [['t', 'a.txt'], ['t', 'a (1).txt'], ['t', 'A (2).TXT'], ['t', 'a (1) (1).txt']])
  // a file named like a directory used later: the directory moves, consistently
  assert.deepEqual(dedupePaths([['t', 'd'], ['t', 'd', 'x'], ['t', 'd', 'y']]),
    [['t', 'd'], ['t', 'd (1)', 'x'], ['t', 'd (1)', 'y']])
  // a directory first, then a file of the same name: the file moves
  assert.deepEqual(dedupePaths([['t', 'd', 'x'], ['t', 'd']]), [['t', 'd', 'x'], ['t', 'd (1)']])
  // NFC and NFD spellings are the same name on macOS
  assert.deepEqual(dedupePaths([['é'], ['e\u0301']]), [['é'], ['e\u0301 (1)']])
  const unique = new Set(dedupePaths(Array.from({ length: 50 }, () => ['t', 'same'])).map((p) => p.join('/')))
  assert.equal(unique.size, 50)
})
