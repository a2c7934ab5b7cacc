import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface Running {
  proc: ChildProcess
  /** resolves with the first stdout line matching, rejects if the process exits first or time runs out */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** every stdout line so far */
  lines: string[]
  stderr(): string
  exited: Promise<number>
  /** TERM, then KILL after 3 s; only this PID (and its group when detached) */
  stop(): Promise<void>
}

/** Spawns a process we own, collecting its output; `stop()` ends it by PID. */
export function start(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: boolean } = {}): Running {
  const proc = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let err = ''
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = []
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    lines.push(line)
    for (const w of [...waiters]) if (w.re.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line) }
  })
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); if (err.length > 200_000) err = err.slice(-100_000) })
  const exited = new Promise<number>((resolve) => proc.once('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1))))
  return {
    proc, lines, exited,
    stderr: () => err,
    waitFor(re, timeoutMs = 60_000) {
      const seen = lines.find((l) => re.test(l))
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${cmd}: no line matching ${re} within ${timeoutMs} ms\nstdout: ${lines.slice(-10).join('\n')}\nstderr: ${err.slice(-2000)}`)), timeoutMs)
        waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l) } })
        void exited.then((code) => { clearTimeout(t); reject(new Error(`${cmd} exited (${code}) before printing ${re}\nstdout: ${lines.slice(-10).join('\n')}\nstderr: ${err.slice(-2000)}`)) })
      })
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill('SIGTERM')
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(t)
    },
  }
}

/** Commands that reach the network, and the switches that keep them off the public DHT and
 * LAN multicast (both on by default for users): added unless a test sets them itself. */
const LOCAL_COMMANDS = new Set(['create', 'info', 'tracker', 'demo', 'help', '--help', '-h', '--version', '-V'])
export function offline(args: string[]): string[] {
  // anything else downloads, seeds or serves (download is the default command)
  if (args.length === 0 || LOCAL_COMMANDS.has(args[0]!) || args.includes('--help') || args.includes('-h')) return args
  const extra = [...(args.some((a) => a === '--no-dht' || a === '--dht-bootstrap') ? [] : ['--no-dht']), ...(args.includes('--no-lsd') ? [] : ['--no-lsd'])]
  return [...args, ...extra]
}

/** Our CLI, straight from the TypeScript sources (see `offline`). */
export function swarmstream(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  return start(process.execPath, ['--import', import.meta.resolve('tsx'), `${ROOT}src/cli/main.ts`, ...offline(args)], opts)
}

/** Runs to completion; rejects after `timeoutMs`. */
export async function run(r: Running, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => { void r.stop(); reject(new Error(`timed out after ${timeoutMs} ms\n${r.lines.join('\n')}\n${r.stderr().slice(-3000)}`)) }, timeoutMs) })
  try {
    const code = await Promise.race([r.exited, timeout])
    return { code, stdout: r.lines.join('\n'), stderr: r.stderr() }
  } finally { clearTimeout(timer) }
}
