// Child process: HTTP announce load over raw keep-alive TCP connections (cheap for the client,
// so the server is what saturates), each keeping DEPTH requests in flight (HTTP/1.1 pipelining).
// Requests are prebuilt; answers are counted per chunk and replaced with one write.
// Usage: load-http.mjs PORT CONNS SECONDS SEED [DEPTH]
import net from 'node:net'
const [port, conns, seconds, seed, depthArg] = process.argv.slice(2).map(Number)
const depth = depthArg || 1
const TORRENTS = 200, PEERS = 500, PREBUILT = 4096
const pct = (buf) => [...buf].map((b) => '%' + b.toString(16).padStart(2, '0')).join('')
const id = (kind, n) => { const b = Buffer.alloc(20); b.write(kind); b.writeUInt32BE(n, 16); return pct(b) }
const requests = Array.from({ length: PREBUILT }, (_, k) => {
  const i = seed * 7919 + k
  const t = i % TORRENTS, p = (i * 31) % PEERS
  const path = `/announce?info_hash=${id('bench-torrent', t)}&peer_id=${id('-BN0001-' + seed, p)}&port=${6000 + p}&uploaded=0&downloaded=0&left=${p % 5 === 0 ? 0 : 1000}&compact=1&numwant=50${i % 50 === 0 ? '&event=started' : ''}`
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`
})
let next = 0
const take = (n) => { let s = ''; for (let k = 0; k < n; k++) s += requests[next++ % PREBUILT]; return s }
const HEAD_END = Buffer.from('\r\n\r\n')
let done = 0, errors = 0, failures = 0
const end = Date.now() + seconds * 1000
function open() {
  const s = net.connect(port, '127.0.0.1')
  let buf = Buffer.alloc(0)
  let inFlight = 0
  s.setNoDelay(true)
  s.on('connect', () => { inFlight = depth; s.write(take(depth)) })
  s.on('data', (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d
    let got = 0, off = 0
    for (;;) {
      const h = buf.indexOf(HEAD_END, off)
      if (h < 0) break
      const cl = buf.indexOf('ontent-Length: ', off) // both servers send Content-Length
      const len = cl >= 0 && cl < h ? parseInt(buf.toString('latin1', cl + 15, cl + 25), 10) : 0
      if (buf.length < h + 4 + len) break
      if (buf.indexOf('failure reason', h) >= 0 && buf.indexOf('failure reason', h) < h + 4 + len) failures++
      off = h + 4 + len
      got++
    }
    buf = off === buf.length ? Buffer.alloc(0) : buf.subarray(off)
    done += got; inFlight -= got
    if (Date.now() < end) { if (got > 0) { inFlight += got; s.write(take(got)) } }
    else if (inFlight === 0) { s.destroy(); finish() }
  })
  s.on('error', () => { errors++; finish() })
}
let open_ = conns
function finish() { if (--open_ === 0) { process.send({ done, errors, failures, cpu: process.cpuUsage() }); process.exit(0) } }
for (let c = 0; c < conns; c++) open()
setTimeout(() => { process.send({ done, errors, failures, timedOut: true }); process.exit(0) }, seconds * 1000 + 5000).unref()
