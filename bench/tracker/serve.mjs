// Child process: runs one tracker server (ours or the bittorrent-tracker npm server) on
// 127.0.0.1 with HTTP, UDP and WebSocket, reports its ports over IPC and answers memory probes.
// Usage (from run.mjs, cluster.mjs): node --expose-gc --import tsx serve.mjs ours|bt [REDIS_URL ORIGIN]
// With a Redis URL our server joins the instances sharing that Redis.
const [which, redisUrl, origin] = process.argv.slice(2)
let close
let ports
if (which === 'ours') {
  const { TrackerServer } = await import('../../src/tracker/index.ts')
  const cluster = redisUrl ? { cluster: new (await import('../../src/tracker/cluster/redis-link.node.ts')).RedisLink(redisUrl, origin) } : {}
  // Limits raised: every load process shares 127.0.0.1, so per-address limits would throttle the bench.
  const server = new TrackerServer({
    http: { port: 0 }, udp: { port: 0 }, ws: 'http', interval: 600,
    limits: { requestsPerSecondPerAddress: 0, maxSocketsPerAddress: 0, messagesPerSecondPerSocket: 0, maxPeersPerSwarm: 100_000 },
    ...cluster,
  })
  ports = await server.listen()
  close = () => server.close()
} else {
  const { Server } = await import('bittorrent-tracker')
  const server = new Server({ http: true, udp: true, ws: true, stats: false, interval: 600_000 })
  server.on('error', (e) => console.error('bt error', e.message))
  server.on('warning', () => {})
  await new Promise((resolve) => server.listen(0, { http: '127.0.0.1', udp: '127.0.0.1', udp6: '::1' }, resolve))
  ports = { http: server.http.address().port, udp: server.udp4.address().port, ws: server.http.address().port }
  close = () => new Promise((resolve) => server.close(resolve))
}
process.on('message', async (m) => {
  if (m === 'mem') {
    for (let i = 0; i < 3; i++) { globalThis.gc?.(); await new Promise((r) => setTimeout(r, 50)) }
    const u = process.memoryUsage()
    const cpu = process.cpuUsage()
    process.send({ mem: { rss: u.rss, heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers }, cpu })
  } else if (m === 'close') {
    await close()
    process.exit(0)
  }
})
process.send({ ports })
