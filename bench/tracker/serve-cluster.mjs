// Child process: our tracker as a primary with N workers (`--workers N`) on 127.0.0.1, per-
// address limits off (all load comes from 127.0.0.1). Reports its ports over IPC and answers
// probes with CPU and RSS summed over the primary and its workers (read from /proc).
// Usage (from cluster.mjs): node --import tsx serve-cluster.mjs WORKERS
import cluster from 'node:cluster'
import { readFileSync } from 'node:fs'
const { runTrackerCluster } = await import('../../src/tracker/cluster/cluster.node.ts')
const workers = Number(process.argv[2] ?? 2)
const c = await runTrackerCluster({
  http: { port: 0, host: '127.0.0.1' }, udp: { port: 0, host: '127.0.0.1' }, ws: 'http', interval: 600,
  limits: { requestsPerSecondPerAddress: 0, maxSocketsPerAddress: 0, messagesPerSecondPerSocket: 0, maxPeersPerSwarm: 100_000 },
}, workers, (line) => console.error(line))
const tick = 100 // USER_HZ on Linux
function probe() {
  const pids = [process.pid, ...Object.values(cluster.workers ?? {}).map((w) => w?.process.pid).filter(Boolean)]
  let cpu = 0, rss = 0
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    cpu += (Number(stat[11]) + Number(stat[12])) / tick * 1e6
    rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024
  }
  return { cpu: { user: cpu, system: 0 }, mem: { rss, heapUsed: 0, external: 0, arrayBuffers: 0 } }
}
process.on('message', async (m) => {
  if (m === 'mem') process.send(probe())
  else if (m === 'close') { await c.stop(); process.exit(0) }
})
process.send({ ports: c.ports })
