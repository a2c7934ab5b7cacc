/** The pure parts of web seeds: BEP 19 URL joining, merging block requests into GETs,
 * Content-Range parsing. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseContentRange, takeRun, webSeedFileUrls, type SeedRequest } from '../../src/discovery/web-seed-plan.js'

const file = (rawPath: string[], padding = false) => ({ rawPath, length: 10, padding })

test('single-file: the URL is the file, or the folder it is in when it ends in a slash', () => {
  assert.deepEqual(webSeedFileUrls('http://h/pub/movie.mkv', [file(['movie.mkv'])]), ['http://h/pub/movie.mkv'])
  assert.deepEqual(webSeedFileUrls('http://h/pub/', [file(['my movie.mkv'])]), ['http://h/pub/my%20movie.mkv'])
  assert.deepEqual(webSeedFileUrls('http://h/other-name.bin?x=1', [file(['a.bin'])]), ['http://h/other-name.bin?x=1'])
})

test('multi-file: folder + name + path, each component escaped, pad files have no URL', () => {
  const files = [file(['michael', 'Readme.txt']), file(['michael', '.pad', '0'], true), file(['michael', 'a?b', '#1/2.txt'])]
  const expected = ['http://mirror.com/pub/michael/Readme.txt', undefined, 'http://mirror.com/pub/michael/a%3Fb/%231%2F2.txt']
  assert.deepEqual(webSeedFileUrls('http://mirror.com/pub/', files), expected, 'BEP 19 example')
  assert.deepEqual(webSeedFileUrls('http://mirror.com/pub', files), expected, 'the slash is supplied')
})

const PIECE = 65536
function pending(...blocks: [index: number, offset: number, length?: number][]): Map<number, SeedRequest> {
  const m = new Map<number, SeedRequest>()
  for (const [index, offset, length = 16384] of blocks) m.set(index * PIECE + offset, { index, offset, length, start: index * PIECE + offset })
  return m
}
const ids = (run: SeedRequest[]) => run.map((r) => `${r.index}:${r.offset / 16384}`)

test('takeRun merges the oldest request with its contiguous neighbours, across pieces, in byte order', () => {
  const p = pending([5, 0], [9, 0], [4, 49152], [5, 16384], [6, 0], [5, 49152], [5, 32768])
  assert.deepEqual(ids(takeRun(p, 1 << 20)), ['4:3', '5:0', '5:1', '5:2', '5:3', '6:0'])
  assert.deepEqual(ids(takeRun(p, 1 << 20)), ['9:0'])
  assert.equal(p.size, 0)
  assert.deepEqual(takeRun(p, 1 << 20), [])
})

test('takeRun stops at gaps and at the byte cap', () => {
  const p = pending([0, 0], [0, 16384], [0, 49152], [1, 0])
  assert.deepEqual(ids(takeRun(p, 1 << 20)), ['0:0', '0:1'], 'block 0:2 is not asked for: a gap')
  const q = pending([0, 0], [0, 16384], [0, 32768], [0, 49152])
  assert.deepEqual(ids(takeRun(q, 40_000)), ['0:0', '0:1'])
  assert.deepEqual(ids(takeRun(q, 40_000)), ['0:2', '0:3'])
})

test('takeRun joins a short last block of a piece with what precedes it', () => {
  const p = pending([3, 16384, 1000], [3, 0])
  assert.deepEqual(ids(takeRun(p, 1 << 20)), ['3:0', '3:1'], 'the oldest (short) block, then the one before it')
  const q = pending([3, 0, 1000], [2, 0])
  const run = takeRun(q, 1 << 20)
  assert.equal(run.length, 1, 'not contiguous: piece 2 ends 48 KiB before piece 3')
})

test('parseContentRange', () => {
  assert.deepEqual(parseContentRange('bytes 0-99/1000'), { first: 0, last: 99, total: 1000 })
  assert.deepEqual(parseContentRange('Bytes 5-5/*'), { first: 5, last: 5, total: undefined })
  for (const bad of [null, '', 'bytes */1000', 'bytes 10-5/100', 'bytes 0-100/100', 'bytes 0-99', 'items 0-1/2', 'bytes 0-99/1000, bytes 1-2/3', 'bytes -1-5/10', 'bytes 0-99999999999999999/1']) {
    assert.equal(parseContentRange(bad), undefined, String(bad))
  }
})
