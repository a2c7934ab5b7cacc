/** The lean HTTP/1.1 server under the tracker: pipelining, keep-alive rules, and hostile input. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect, type AddressInfo, type Server } from 'node:net'
import { createLeanHttpServer } from '../../src/tracker/http-server.node.js'

async function serve(idleTimeoutMs = 30_000): Promise<{ server: Server; port: number; upgrades: string[] }> {
  const upgrades: string[] = []
  const server = createLeanHttpServer({
    idleTimeoutMs, maxHeadBytes: 1024,
    handle: (req) => ({ status: 200, type: 'text/plain', body: `${req.method} ${req.url} ${req.headers['x-a'] ?? ''}` }),
    upgrade: (req, socket, head) => { upgrades.push(`${req.url} ${head.toString()}`); socket.end('HTTP/1.1 101 ok\r\n\r\n') },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as AddressInfo).port, upgrades }
}

/** Writes `data`, collects everything until the server closes or `ms` passes. */
function exchange(port: number, data: string, ms = 1000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    let text = ''
    const t = setTimeout(() => { s.destroy(); resolve({ text, closed: false }) }, ms)
    s.on('data', (d) => { text += d.toString('latin1') })
    s.on('close', () => { clearTimeout(t); resolve({ text, closed: true }) })
    s.on('error', () => {})
    if (data) s.write(data)
  })
}

test('pipelined requests are answered in order, kept alive (HTTP/1.1) or closed (HTTP/1.0)', async () => {
  const { server, port } = await serve()
  try {
    const r = await exchange(port, 'GET /a HTTP/1.1\r\nX-A: 1\r\n\r\nGET /b HTTP/1.1\r\nx-a: 2\r\n\r\nHEAD /c HTTP/1.1\r\n\r\n', 300)
    assert.equal(r.closed, false, 'kept alive')
    const bodies = r.text.split('HTTP/1.1 200 OK').slice(1).map((p) => p.split('\r\n\r\n')[1])
    assert.deepEqual(bodies, ['GET /a 1', 'GET /b 2', ''])
    const r10 = await exchange(port, 'GET /x HTTP/1.0\r\n\r\n')
    assert.equal(r10.closed, true)
    assert.match(r10.text, /Connection: close/)
    const rc = await exchange(port, 'GET /x HTTP/1.1\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n')
    assert.equal(rc.closed, true)
    assert.ok(!rc.text.includes('/never'))
  } finally { server.close() }
})

test('malformed, oversized and body-carrying requests are refused and closed', async () => {
  const { server, port } = await serve()
  try {
    for (const [req, status] of [
      ['NONSENSE\r\n\r\n', 400], ['GET /x HTTP/2.0\r\n\r\n', 400], ['GET /x HTTP/1.1\r\nno colon\r\n\r\n', 400],
      [`GET /${'a'.repeat(2000)} HTTP/1.1\r\n`, 431],
      ['GET /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello', 413], ['GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n', 413],
    ] as const) {
      const r = await exchange(port, req)
      assert.match(r.text, new RegExp(`^HTTP/1.1 ${status} `), req.slice(0, 30))
      assert.equal(r.closed, true)
    }
  } finally { server.close() }
})

test('a silent or slow client is cut off after the idle timeout; upgrades are handed over', async () => {
  const { server, port, upgrades } = await serve(300)
  try {
    const t0 = Date.now()
    const r = await exchange(port, 'GET /partial HTTP/1.1\r\n', 3000)
    assert.equal(r.closed, true)
    assert.ok(Date.now() - t0 < 2500, 'closed by the sweep')
    const silent = await exchange(port, '', 3000)
    assert.equal(silent.closed, true)
    const u = await exchange(port, 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\nextra')
    assert.match(u.text, /101/)
    assert.deepEqual(upgrades, ['/ws extra'])
  } finally { server.close() }
})
