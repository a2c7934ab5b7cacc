/** Local Service Discovery (BEP 14): two of our clients on the loopback interface find each
 * other with no tracker, DHT or peer address; the message codec; junk and floods. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import { join } from 'node:path'
import { Client } from '../../src/client/index.node.js'
import { encodeLsd, parseLsd, LSD_GROUP, LSD_PORT } from '../../src/discovery/lsd-message.js'
import { fileDigest, tempDir, whenDone, writeRandomFile } from '../integration/fixtures.js'

test('LSD messages: the BEP 14 format, several info hashes, junk refused', () => {
  const h = 'ab'.repeat(20)
  const [packet] = encodeLsd({ port: 6881, infoHashes: [h], cookie: 'c0ffee' })
  assert.equal(packet, `BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: ${h}\r\ncookie: c0ffee\r\n\r\n\r\n`)
  assert.deepEqual(parseLsd(packet!), { port: 6881, infoHashes: [h], cookie: 'c0ffee' })
  const many = encodeLsd({ port: 1, infoHashes: Array.from({ length: 60 }, (_, i) => i.toString(16).padStart(40, '0')) })
  assert.ok(many.length >= 3 && many.every((p) => p.length <= 1400), 'under 1400 bytes a packet')
  for (const junk of ['M-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: ' + h + '\r\n\r\n', 'BT-SEARCH * HTTP/1.1\r\nPort: 70000\r\nInfohash: ' + h + '\r\n', 'BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: xyz\r\n', 'x'.repeat(5000)]) {
    assert.equal(parseLsd(junk), undefined, junk.slice(0, 30))
  }
})

test('two clients on the loopback interface find each other by LSD alone', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  const lsd = { interface: '127.0.0.1' }
  const seeder = new Client({ port: 0, host: '127.0.0.1', trackers: false, lsd })
  const leecher = new Client({ port: 0, host: '127.0.0.1', trackers: false, lsd })
  const noise = dgram.createSocket({ type: 'udp4', reuseAddr: true })
  try {
    const file = join(dir.path, 'seed', 'f.bin')
    await writeRandomFile(file, 1_000_000)
    const seed = await seeder.seed(file).whenReady()
    // junk on the group first: nothing breaks
    await new Promise<void>((r) => noise.bind(0, '127.0.0.1', () => r()))
    noise.setMulticastInterface('127.0.0.1')
    for (const junk of ['garbage', 'BT-SEARCH * HTTP/1.1\r\nPort: 0\r\n\r\n', 'x'.repeat(3000)]) noise.send(junk, LSD_PORT, LSD_GROUP)
    const t = leecher.add(seed.torrentFile!, { path: join(dir.path, 'out') })
    await whenDone(t, 30_000)
    assert.ok(t.discovery.found.lsd >= 1, `found by LSD: ${JSON.stringify(t.discovery.found)}`)
    assert.equal(await fileDigest(join(dir.path, 'out', 'f.bin')), await fileDigest(file))
  } finally {
    noise.close()
    await leecher.destroy()
    await seeder.destroy()
    await dir.cleanup()
  }
})
