import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseTorrent } from '../../src/metainfo/index.js'
import { createTorrentFromPath } from '../../src/metainfo/create-from-path.node.js'
import { toHex } from '../../src/util/bytes.js'

// Cross-checks against libtorrent (python bindings), the reference most clients agree with.
const PYTHON = '/usr/bin/python3'
const hasLibtorrent = spawnSync(PYTHON, ['-c', 'import libtorrent'], { timeout: 20000 }).status === 0

function python(script: string, ...args: string[]): string {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: 60000 })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout.trim()
}

const INFO_HASH = 'import libtorrent as lt,sys; print(lt.torrent_info(sys.argv[1]).info_hashes().v1)'
/** libtorrent creates a v1 torrent over the same files in the order given (argv[4:]). */
const LT_CREATE_V1 = `
import libtorrent as lt, sys, os
parent, name, piece, out, rels = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
fs = lt.file_storage()
for rel in rels: fs.add_file(name + '/' + rel, os.path.getsize(os.path.join(parent, name, rel)))
t = lt.create_torrent(fs, piece, flags=lt.create_torrent.v1_only | lt.create_torrent.no_attributes)
lt.set_piece_hashes(t, parent)
open(out, 'wb').write(lt.bencode(t.generate()))
print(lt.torrent_info(out).info_hashes().v1)
`
/** libtorrent's default: a hybrid v1+v2 torrent with BEP 47 pad files. */
const LT_CREATE_HYBRID = `
import libtorrent as lt, sys, json
fs = lt.file_storage(); lt.add_files(fs, sys.argv[2])
t = lt.create_torrent(fs, 16384)
lt.set_piece_hashes(t, sys.argv[1])
open(sys.argv[3], 'wb').write(lt.bencode(t.generate()))
ti = lt.torrent_info(sys.argv[3]); f = ti.files()
print(json.dumps({'hash': str(ti.info_hashes().v1), 'pieces': ti.num_pieces(),
  'files': [[f.file_path(i), f.file_size(i), f.file_offset(i), bool(f.file_flags(i) & 1)] for i in range(f.num_files())]}))
`

test('libtorrent agrees with our info hashes both ways', { timeout: 120000 }, async (t) => {
  if (!hasLibtorrent) { t.skip('python libtorrent not installed'); return }
  const dir = await mkdtemp(join(tmpdir(), 'ss-lt-'))
  try {
    const root = join(dir, 'share')
    await mkdir(join(root, 'sub', 'deeper'), { recursive: true })
    const files: [string, number][] = [['.hidden', 3], ['a.txt', 5], ['sub/b.bin', 70000], ['sub/deeper/c.bin', 40000], ['z', 1]]
    let seed = 1
    for (const [rel, size] of files) {
      await writeFile(join(root, rel), Uint8Array.from({ length: size }, () => (seed = (seed * 73 + 41) % 251)))
    }

    // ours -> libtorrent: it reads our file, and builds the identical info dict itself
    const ours = await createTorrentFromPath(root, { pieceLength: 16384, announce: [['http://127.0.0.1:1/ann']] })
    const ourFile = join(dir, 'ours.torrent')
    await writeFile(ourFile, ours.torrent)
    assert.equal(python(INFO_HASH, ourFile), ours.metainfo.infoHashHex)
    const theirV1 = python(LT_CREATE_V1, dir, 'share', '16384', join(dir, 'lt-v1.torrent'), ...files.map(([r]) => r))
    assert.equal(theirV1, ours.metainfo.infoHashHex)

    // single file too
    const one = await createTorrentFromPath(join(root, 'sub', 'b.bin'), { pieceLength: 32768 })
    await writeFile(join(dir, 'one.torrent'), one.torrent)
    assert.equal(python(INFO_HASH, join(dir, 'one.torrent')), one.metainfo.infoHashHex)

    // libtorrent -> ours: hybrid torrent with pad files
    const lt = JSON.parse(python(LT_CREATE_HYBRID, dir, root, join(dir, 'lt.torrent'))) as {
      hash: string; pieces: number; files: [string, number, number, boolean][]
    }
    const parsed = parseTorrent(new Uint8Array(await readFile(join(dir, 'lt.torrent'))))
    assert.equal(parsed.infoHashHex, lt.hash)
    assert.equal(parsed.pieceCount, lt.pieces)
    assert.deepEqual(parsed.files.map((f) => [f.pathString, f.length, f.offset, f.padding]), lt.files)
    // rebuild the piece stream (pad files are zeros, BEP 47) and check every piece hash
    const stream = new Uint8Array(parsed.length)
    for (const f of parsed.files) {
      if (!f.padding) stream.set(await readFile(join(dir, ...f.path)), f.offset)
    }
    for (let i = 0; i < parsed.pieceCount; i++) {
      const piece = stream.subarray(i * parsed.pieceLength, (i + 1) * parsed.pieceLength)
      assert.equal(createHash('sha1').update(piece).digest('hex'), toHex(parsed.pieceHashes.subarray(i * 20, i * 20 + 20)), `piece ${i}`)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
