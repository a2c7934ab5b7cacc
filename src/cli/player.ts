/** Starting a media player on a stream URL: --vlc, --mpv, or --player '<command>'. The
 * command is split into words here and spawned without a shell, the URL added last. */
import { spawn } from 'node:child_process'
import { UsageError } from './options.js'

export interface PlayerValues {
  vlc?: boolean | undefined
  mpv?: boolean | undefined
  player?: string | undefined
}

/** The player's argv (without the URL), or undefined when none was asked for. */
export function playerArgv(values: PlayerValues): string[] | undefined {
  const chosen = [values.vlc, values.mpv, values.player !== undefined].filter(Boolean).length
  if (chosen > 1) throw new UsageError('choose one of --vlc, --mpv, --player')
  if (values.vlc) return ['vlc', '--play-and-exit']
  if (values.mpv) return ['mpv']
  if (values.player === undefined) return undefined
  const argv = splitCommand(values.player)
  if (argv.length === 0) throw new UsageError('--player needs a command')
  return argv
}

/** Splits a command line into words: whitespace separates, '…' and "…" group, \ escapes. */
export function splitCommand(s: string): string[] {
  const out: string[] = []
  let word = '', inWord = false, quote: string | undefined
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (quote) {
      if (c === quote) quote = undefined
      else if (c === '\\' && quote === '"' && i + 1 < s.length) word += s[++i]
      else word += c
    } else if (c === '"' || c === "'") { quote = c; inWord = true }
    else if (c === '\\' && i + 1 < s.length) { word += s[++i]; inWord = true }
    else if (/\s/.test(c)) { if (inWord) out.push(word); word = ''; inWord = false }
    else { word += c; inWord = true }
  }
  if (quote) throw new UsageError(`unclosed quote in player command: ${s}`)
  if (inWord) out.push(word)
  return out
}

/** Starts the player on `url`; `exited` resolves with its exit code (or rejects when it
 * cannot be started at all). */
export function startPlayer(argv: string[], url: string): { exited: Promise<number>; stop(): void } {
  const [cmd, ...args] = argv
  const child = spawn(cmd!, [...args, url], { stdio: ['ignore', 'inherit', 'inherit'] })
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new Error(`player not found: ${cmd}`) : err))
    child.once('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1)))
  })
  return { exited, stop: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM') } }
}
