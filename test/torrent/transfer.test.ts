/** Whole-swarm scenarios in the in-memory harness: real torrents over memory links with a
 * fake clock. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Swarm, bytes, sameBytes, storedBytes } from '../harness/swarm.js'
import { formatMagnet } from '../../src/metainfo/index.js'

test('a leecher downloads a torrent from a seeder, bytes equal', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(300_000) })
  const seed = await swarm.seeder(content)
  const leech = await swarm.leecher(content.metainfo, [seed.client.address])
  await swarm.until(() => leech.torrent.done, 'download')
  assert.ok(sameBytes(await storedBytes(leech.torrent), content.data))
  assert.equal(leech.torrent.state, 'seeding')
  assert.equal(seed.torrent.uploaded, content.data.length)
  await swarm.destroy()
})

test('a magnet link with only the info hash: the metadata comes from the seeder', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'movie.mkv': bytes(200_000, 7) })
  const seed = await swarm.seeder(content)
  const client = swarm.client()
  const states: string[] = []
  client.on('add', (t) => { states.push(t.state); t.on('state', (s) => states.push(s)) })
  const torrent = client.add(formatMagnet({ infoHash: content.metainfo.infoHash }), { peers: [seed.client.address] })
  const leech = { torrent }
  await swarm.until(() => leech.torrent.done, 'download')
  assert.equal(leech.torrent.name, 'movie.mkv')
  assert.deepEqual(states, ['metadata', 'checking', 'downloading', 'seeding'])
  assert.ok(sameBytes(await storedBytes(leech.torrent), content.data))
  await swarm.destroy()
})
