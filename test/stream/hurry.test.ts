/** A critical block that is late at a stalled peer is asked of a second peer. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomData } from '../integration/fixtures.js'
import { join } from 'node:path'
import '../../src/stream/index.node.js'
import { Client } from '../../src/client/index.node.js'
import { slowSwarm, throttleProxy } from './helpers.js'

test('a stream reader does not wait for a stalled peer: late critical blocks go to another peer', { timeout: 60_000 }, async () => {
  const data = randomData(4 * 1024 * 1024)
  // the only peer at first sends 2 KB/s: one 16 KiB block takes 8 s; sequential order makes
  // sure the reader's block is among the first asked of it
  const swarm = await slowSwarm({ 'video.mkv': data }, { rate: 2000, pieceLength: 16384, sequential: true })
  // a second seeder of the same data, in its own client, 100 times faster (but not so fast
  // that the whole torrent arrives at once and endgame asks every peer for every block)
  const fast = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  let fastProxy: Awaited<ReturnType<typeof throttleProxy>> | undefined
  try {
    await fast.seed(join(swarm.seedDir, 'video.mkv'), { torrent: swarm.torrentFile })
    fastProxy = await throttleProxy(fast.port, 200_000)
    const torrent = swarm.torrent
    if (!torrent.ready) await new Promise<void>((r) => torrent.once('ready', () => r()))
    const file = torrent.files[0]!
    const chunks = file.chunks({ start: 0, end: 16383 })
    const first = chunks.next()
    // wait until the reader's block is asked of the stalled peer, then offer a fast one
    const askedAt = await new Promise<number>((resolve, reject) => {
      const deadline = Date.now() + 10_000
      const poll = () => {
        if ([...torrent.peers.values()].some((p) => p.requests.has('0:0'))) resolve(Date.now())
        else if (Date.now() > deadline) reject(new Error('block 0 was never requested'))
        else setTimeout(poll, 20)
      }
      poll()
    })
    assert.equal(torrent.numPeers, 1)
    torrent.addPeer({ host: '127.0.0.1', port: fastProxy.port })
    const r = await first
    const elapsed = Date.now() - askedAt
    assert.equal(r.done, false)
    assert.ok(Buffer.from(data.subarray(0, 16384)).equals(Buffer.from(r.value!)))
    assert.ok(elapsed > 1500 && elapsed < 6000, `the block came from the second peer once late (~2 s), not from the stalled one (${elapsed} ms)`)
    assert.ok(torrent.progress < 0.5, 'far from endgame')
    await chunks.return(undefined)
  } finally {
    await fast.destroy()
    await fastProxy?.close()
    await swarm.close()
  }
})
