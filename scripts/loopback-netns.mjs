// Re-runs the calling script inside a fresh network namespace that has nothing but loopback
// (unshare -n, then `ip link set lo up`), so no packet can leave the machine. Root only;
// elsewhere (or when already inside, or with SWARMSTREAM_NO_NETNS) it returns and the
// script runs on the host's loopback.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export function inLoopbackNamespace(scriptUrl) {
  if (process.getuid?.() !== 0 || process.env.SWARMSTREAM_IN_NETNS || process.env.SWARMSTREAM_NO_NETNS) return
  if (spawnSync('unshare', ['-n', 'true']).status !== 0) {
    console.error('unshare -n is not available here; running on the host loopback')
    return
  }
  const args = process.argv.slice(2).map((a) => JSON.stringify(a)).join(' ')
  const inner = `ip link set lo up && exec node ${JSON.stringify(fileURLToPath(scriptUrl))} ${args}`
  const r = spawnSync('unshare', ['-n', 'sh', '-c', inner], { stdio: 'inherit', env: { ...process.env, SWARMSTREAM_IN_NETNS: '1' } })
  process.exit(r.status ?? 1)
}
