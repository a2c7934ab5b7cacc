import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hasLibtorrent } from '../../peers/reference.js'
import { ROOT, start } from '../../peers/process.js'
import { fromHex, toHex, randomBytes } from '../../../src/util/bytes.js'
import { freePorts, loopbackDht, waitForAnnounce } from './udp-helpers.js'

const LT_DHT = join(ROOT, 'test/peers/lt-dht.py')

test('libtorrent DHT nodes: each side finds the other\'s announces', { skip: !hasLibtorrent, timeout: 60_000 }, async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'dht-lt-'))
  const a = await loopbackDht() // the node libtorrent bootstraps at
  const ports = await freePorts(4)
  const lt = start('/usr/bin/python3', [LT_DHT, '--ports', ports.join(','), '--bootstrap', `127.0.0.1:${a.dht.port}`, '--timeout', '60'], { stdin: true })
  const b = await loopbackDht({ bootstrap: ports.map((port) => ({ host: '127.0.0.1', port })) })
  try {
    // a libtorrent session seeds a torrent with no trackers: it announces it to the DHT only
    lt.proc.stdin!.write(`seed 2 ${scratch}\n`)
    const [, hash, port] = (await lt.waitFor(/^SEEDING /, 30_000)).split(' ')
    await lt.waitFor(/^READY/, 30_000)
    // its announce reaches our node A (five nodes in all: every one is among the closest 8)
    await waitForAnnounce(a.dht, (h, p) => h === hash && p === Number(port))
    // B knows only the libtorrent nodes: their find_node fills its table, their get_peers
    // answers carry the seeder
    const ready = new Promise<number>((r) => b.dht.once('ready', r))
    assert.ok(await b.dht.bootstrap() >= 4)
    assert.ok(await ready >= 4)
    const first: string[] = []
    const peers = await b.dht.lookup(fromHex(hash!), { onPeers: (ps) => first.push(...ps.map((p) => `${p.host}:${p.port}`)) })
    assert.deepEqual(peers, [{ host: '127.0.0.1', port: Number(port) }])
    assert.deepEqual(first, [`127.0.0.1:${port}`])

    // and the reverse: we announce, libtorrent's own get_peers walk finds us
    const ours = randomBytes(20)
    const r = await b.dht.announce(ours, 6543)
    assert.ok(r.announced >= 4, `announced to ${r.announced}`)
    lt.proc.stdin!.write(`get_peers 0 ${toHex(ours)}\n`)
    const reply = await lt.waitFor(new RegExp(`^PEERS ${toHex(ours)} `), 20_000)
    assert.ok(reply.split(' ')[2]!.split(',').includes('127.0.0.1:6543'), reply)

    // BEP 51: libtorrent samples the info hashes node A stores: the seeder's is there
    lt.proc.stdin!.write(`sample 1 ${a.dht.port} ${toHex(randomBytes(20))}\n`)
    const samples = await lt.waitFor(new RegExp(`^SAMPLES ${a.dht.port} `), 20_000)
    assert.ok(samples.split(' ')[3]!.split(',').includes(hash!), samples)
    assert.match(samples, /num=[12] /)

    for (const d of [a, b]) assert.deepEqual([...d.destinations], ['127.0.0.1'])
    assert.equal(b.dht.stats.malformed + b.dht.stats.unmatched, 0)
  } finally {
    await lt.stop()
    await a.close(); await b.close()
    rmSync(scratch, { recursive: true, force: true })
  }
})
