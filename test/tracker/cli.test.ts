/** `swarmstream tracker` as a process: prints its URLs, serves, exits 0 on SIGTERM. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { httpGet } from './helpers.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const script = `import('./src/cli/tracker-command.ts').then((m) => m.trackerCommand(process.argv.slice(1))).then((c) => process.exit(c))`

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, '--', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = '', err = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { err += d })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000)
  void exited.then(() => clearTimeout(kill))
  return { child, exited, output: () => out, errors: () => err }
}

test('tracker command: prints announce URLs, serves HTTP and stats, closes cleanly on SIGTERM', { timeout: 30_000 }, async () => {
  const p = run(['--http', '0', '--udp', '0', '--host', '127.0.0.1', '--interval', '30', '--quiet'])
  const deadline = Date.now() + 15_000
  while (!/stats: /.test(p.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  const http = /http:\/\/127\.0\.0\.1:(\d+)\/announce/.exec(p.output())
  assert.ok(http, `announce URL printed: ${p.output()} ${p.errors()}`)
  assert.match(p.output(), /udp:\/\/127\.0\.0\.1:\d+/)
  assert.match(p.output(), new RegExp(`ws://127\\.0\\.0\\.1:${http[1]}`), 'WebSocket shares the HTTP port')
  const stats = await httpGet(`http://127.0.0.1:${http[1]}/stats.json`)
  assert.equal(JSON.parse(stats.body.toString()).torrents, 0)
  p.child.kill('SIGTERM')
  assert.equal(await p.exited, 0)
})

test('tracker command: bad arguments exit 2 with usage', { timeout: 30_000 }, async () => {
  for (const args of [['--http', 'abc'], ['--allow', 'nothex'], ['--bogus']]) {
    const p = run(args)
    assert.equal(await p.exited, 2, args.join(' '))
    assert.match(p.errors(), /usage: swarmstream tracker/)
  }
})
