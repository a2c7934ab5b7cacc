import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTracker, UdpClient } from './helpers.js'

const IH = Buffer.from('U'.repeat(20), 'latin1')

function connectPacket(tid: number): Buffer {
  const b = Buffer.alloc(16); b.writeBigUInt64BE(0x41727101980n, 0); b.writeUInt32BE(0, 8); b.writeUInt32BE(tid, 12); return b
}
function announcePacket(conn: Buffer, tid: number, peer: number, left: bigint, event = 2): Buffer {
  const b = Buffer.alloc(98)
  conn.copy(b, 0); b.writeUInt32BE(1, 8); b.writeUInt32BE(tid, 12)
  IH.copy(b, 16); b.write(`-UD0001-${String(peer).padStart(12, '0')}`, 36, 'latin1')
  b.writeBigUInt64BE(left, 64); b.writeUInt32BE(event, 80); b.writeInt32BE(-1, 92); b.writeUInt16BE(6000 + peer, 96)
  return b
}
async function connect(c: UdpClient): Promise<Buffer> {
  c.send(connectPacket(77))
  const r = await c.next()
  assert.ok(r && r.length === 16 && r.readUInt32BE(0) === 0 && r.readUInt32BE(4) === 77)
  return r.subarray(8, 16)
}

test('UDP connect, announce, scrape (BEP 15)', async () => {
  const { server, ports } = await startTracker({ http: false, ws: false })
  const a = new UdpClient(ports.udp), b = new UdpClient(ports.udp)
  await a.bind(); await b.bind()
  try {
    const ca = await connect(a)
    a.send(announcePacket(ca, 1, 1, 0n))
    const ra = (await a.next())!
    assert.equal(ra.readUInt32BE(0), 1); assert.equal(ra.readUInt32BE(4), 1)
    assert.equal(ra.readUInt32BE(8), 600, 'interval')
    assert.equal(ra.length, 20, 'no other peers yet')
    const cb = await connect(b)
    b.send(announcePacket(cb, 2, 2, 100n))
    const rb = (await b.next())!
    assert.equal(rb.readUInt32BE(12), 1, 'leechers'); assert.equal(rb.readUInt32BE(16), 1, 'seeders')
    assert.deepEqual([...rb.subarray(20)], [127, 0, 0, 1, 0x17, 0x71])
    const sc = Buffer.concat([cb, Buffer.from([0, 0, 0, 2, 0, 0, 0, 9]), IH, Buffer.alloc(20, 1)])
    b.send(sc)
    const rs = (await b.next())!
    assert.equal(rs.readUInt32BE(0), 2); assert.equal(rs.readUInt32BE(4), 9)
    assert.deepEqual([rs.readUInt32BE(8), rs.readUInt32BE(12), rs.readUInt32BE(16)], [1, 0, 1])
    assert.deepEqual([rs.readUInt32BE(20), rs.readUInt32BE(24), rs.readUInt32BE(28)], [0, 0, 0])
    assert.equal(server.stats().udp, 2)
  } finally { a.close(); b.close(); await server.close() }
})

test('UDP: forged or borrowed connection ids and junk get an error; runts get nothing', async () => {
  const { server, ports } = await startTracker({ http: false, ws: false })
  const a = new UdpClient(ports.udp), b = new UdpClient(ports.udp)
  await a.bind(); await b.bind()
  const errorOf = async (c: UdpClient): Promise<string> => {
    const r = await c.next()
    assert.ok(r, 'an answer')
    assert.equal(r.readUInt32BE(0), 3, 'error action')
    return r.subarray(8).toString()
  }
  try {
    a.send(announcePacket(Buffer.alloc(8, 7), 5, 1, 0n))
    assert.match(await errorOf(a), /connection id/)
    const ca = await connect(a)
    b.send(announcePacket(ca, 6, 2, 0n)) // a's id from b's port: refused
    assert.match(await errorOf(b), /connection id/)
    a.send(announcePacket(ca, 7, 1, 0n).subarray(0, 60))
    assert.match(await errorOf(a), /too short/)
    const badAction = announcePacket(ca, 8, 1, 0n); badAction.writeUInt32BE(9, 8)
    a.send(badAction)
    assert.match(await errorOf(a), /unknown action/)
    a.send(Buffer.alloc(5))
    assert.equal(await a.next(300), undefined)
    assert.equal(server.stats().udp, 0, 'nothing joined')
    a.send(announcePacket(ca, 9, 1, 0n))
    assert.equal((await a.next())!.readUInt32BE(0), 1, 'still serving after junk')
  } finally { a.close(); b.close(); await server.close() }
})

test('UDP connection ids expire after two windows', async () => {
  let now = 10_000_000
  const { server, ports } = await startTracker({ http: false, ws: false, now: () => now })
  const a = new UdpClient(ports.udp)
  await a.bind()
  try {
    const ca = await connect(a)
    now += 60_000
    a.send(announcePacket(ca, 1, 1, 0n))
    assert.equal((await a.next())!.readUInt32BE(0), 1)
    now += 120_000
    a.send(announcePacket(ca, 2, 1, 0n))
    assert.equal((await a.next())!.readUInt32BE(0), 3)
  } finally { a.close(); await server.close() }
})

test('UDP floods from one address are dropped silently beyond the burst (no amplification)', async () => {
  const { server, ports } = await startTracker({ http: false, ws: false, limits: { requestsPerSecondPerAddress: 1, requestBurstPerAddress: 3 } })
  const a = new UdpClient(ports.udp)
  await a.bind()
  try {
    for (let i = 0; i < 10; i++) a.send(connectPacket(i))
    let answers = 0
    while (await a.next(300)) answers++
    assert.equal(answers, 3)
  } finally { a.close(); await server.close() }
})
