// Child process: UDP announce load (BEP 15) with a window of outstanding requests.
// Usage: load-udp.mjs PORT WINDOW SECONDS SEED
import dgram from 'node:dgram'
const [port, windowSize, seconds, seed] = process.argv.slice(2).map(Number)
const TORRENTS = 200, PEERS = 500
const sock = dgram.createSocket('udp4')
let connId = null, tid = seed << 20, done = 0, errors = 0, outstanding = 0
const end = Date.now() + seconds * 1000
function announce() {
  tid = (tid + 1) >>> 0
  const b = Buffer.alloc(98)
  connId.copy(b, 0); b.writeUInt32BE(1, 8); b.writeUInt32BE(tid, 12)
  const t = tid % TORRENTS, p = (tid * 31) % PEERS
  b.write('bench-torrent', 16); b.writeUInt32BE(t, 32)
  b.write('-BN0001-' + seed, 36); b.writeUInt32BE(p, 52)
  b.writeBigUInt64BE(p % 5 === 0 ? 0n : 1000n, 64)
  b.writeInt32BE(-1, 92); b.writeUInt16BE(6000 + p, 96)
  outstanding++
  sock.send(b, port, '127.0.0.1')
}
sock.on('message', (m) => {
  const action = m.readUInt32BE(0)
  if (action === 0) { connId = m.subarray(8, 16); for (let k = 0; k < windowSize; k++) announce(); return }
  outstanding--
  if (action === 1) done++; else errors++
  if (Date.now() < end) announce()
  else if (outstanding === 0) { process.send({ done, errors, cpu: process.cpuUsage() }); process.exit(0) }
})
sock.bind(0, '127.0.0.1', () => {
  const c = Buffer.alloc(16); c.writeBigUInt64BE(0x41727101980n, 0); c.writeUInt32BE(0, 8); c.writeUInt32BE(seed, 12)
  sock.send(c, port, '127.0.0.1')
})
// Lost datagrams shrink the window: after 200 ms without a reply, start a fresh window.
let lastDone = -1
setInterval(() => {
  if (connId && Date.now() < end && done === lastDone) { outstanding = 0; for (let k = 0; k < windowSize; k++) announce() }
  lastDone = done
}, 200).unref()
setTimeout(() => { process.send({ done, errors }); process.exit(0) }, seconds * 1000 + 1000).unref()
