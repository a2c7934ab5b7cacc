import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { Wire } from '../../src/wire/index.js'
import type { Duplex } from '../../src/transport/types.js'
import { randomBytes } from '../../src/util/bytes.js'
import { ID_A, ID_B, INFO_HASH, next } from './helpers.js'

const BLOCK = 16 * 1024
const PIECE = 1024 * 1024
const SOURCE = randomBytes(4 * 1024 * 1024 + BLOCK)

/** The bytes of any block: a window into SOURCE that depends on where the block is. */
const blockAt = (index: number, offset: number): Uint8Array => {
  const start = ((index * PIECE + offset) * 7) % (SOURCE.length - BLOCK)
  return SOURCE.subarray(start, start + BLOCK)
}

async function tcpPair(): Promise<{ server: net.Server; a: net.Socket; b: net.Socket }> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve))
  const a = net.connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => { a.once('connect', resolve); a.once('error', reject) })
  const b = await accepted
  a.setNoDelay(true); b.setNoDelay(true)
  return { server, a, b }
}

/** Downloads `total` bytes of blocks from a seeding wire over TCP, keeping `depth` requests
 * in flight, checking every block; returns seconds taken and CPU seconds used. */
async function move(total: number, depth = 64): Promise<{ seconds: number; cpu: number; checked: number }> {
  const { server, a, b } = await tcpPair()
  // cast: Duplex's optional `off` signature does not accept net.Socket's (reported to the lead)
  const leech = new Wire(a as unknown as Duplex, { keepAliveMs: 0, idleTimeoutMs: 10_000 })
  const seed = new Wire(b as unknown as Duplex, { keepAliveMs: 0, idleTimeoutMs: 10_000 })
  seed.once('handshake', () => { seed.handshake(INFO_HASH, ID_B); seed.unchoke() })
  seed.on('request', (index, offset, length) => {
    assert.equal(length, BLOCK)
    seed.piece(index, offset, blockAt(index, offset))
  })
  const blocks = total / BLOCK, perPiece = PIECE / BLOCK
  let sent = 0, received = 0, checked = 0
  const ask = () => {
    while (sent < blocks && sent - received < depth) {
      leech.request(Math.floor(sent / perPiece), (sent % perPiece) * BLOCK, BLOCK)
      sent++
    }
  }
  const done = new Promise<void>((resolve, reject) => {
    leech.on('error', reject)
    leech.on('close', () => reject(new Error('closed early')))
    leech.on('piece', (index, offset, data) => {
      const want = blockAt(index, offset)
      // native memcmp; a JS byte loop here would measure the test, not the wire
      if (!Buffer.from(data.buffer, data.byteOffset, data.length).equals(want)) { reject(new Error(`bad block ${index}/${offset}`)); return }
      checked++
      if (++received === blocks) resolve(); else ask()
    })
  })
  const unchoked = next(leech, 'unchoke')
  leech.handshake(INFO_HASH, ID_A)
  await unchoked
  const t0 = performance.now(), c0 = process.cpuUsage()
  ask()
  await done
  const seconds = (performance.now() - t0) / 1000
  const c = process.cpuUsage(c0)
  assert.equal(leech.downloaded, total)
  assert.equal(seed.uploaded, total)
  leech.destroy(); seed.destroy()
  await new Promise((resolve) => server.close(resolve))
  return { seconds, cpu: (c.user + c.system) / 1e6, checked }
}

test('64 MiB of piece messages over TCP loopback arrive intact', { timeout: 60_000 }, async () => {
  const total = 64 * 1024 * 1024
  const { checked } = await move(total)
  assert.equal(checked, total / BLOCK)
})

test('benchmark: piece messages through a loopback TCP pair (printed, not asserted)', { timeout: 60_000 }, async () => {
  const total = 256 * 1024 * 1024
  const { seconds, cpu } = await move(total)
  const mb = total / 1e6
  console.log(`# wire over TCP loopback: ${(mb / seconds).toFixed(0)} MB/s, 16 KiB blocks, 64 in flight; ` +
    `${seconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU for both ends (${(cpu / mb * 1000).toFixed(2)} ms CPU per MB)`)
  assert.ok(seconds > 0)
})
