/** Progress on a terminal as one redrawn line (percent, speed, peers, ETA); elsewhere
 * (pipes, CI logs) as a plain line every few seconds. */
export interface ProgressState {
  name: string
  progress: number
  downloadSpeed: number
  uploadSpeed: number
  peers: number
  remaining: number
  /** a word on what is happening (why there are no peers) */
  note?: string | undefined
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--'
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`
}

export class Progress {
  #lastPlain = 0
  #lastLine = ''
  constructor(private readonly out: NodeJS.WriteStream, private readonly enabled = true) {}

  update(s: ProgressState): void {
    if (!this.enabled) return
    const pct = (s.progress * 100).toFixed(1).padStart(5)
    const eta = s.downloadSpeed > 0 ? formatEta(s.remaining / s.downloadSpeed) : '--:--'
    const stats = `${pct}%  ↓ ${formatBytes(s.downloadSpeed)}/s  ↑ ${formatBytes(s.uploadSpeed)}/s  peers ${s.peers}  ETA ${eta}${s.note ? `  · ${s.note}` : ''}`
    if (this.out.isTTY) {
      const columns = this.out.columns ?? 80
      const width = Math.max(10, Math.min(40, columns - stats.length - 4))
      const filled = Math.round(s.progress * width)
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${stats}`
      this.out.write(`\r${line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line}\x1b[K`)
    } else {
      const now = Date.now()
      const line = `${s.name}: ${stats.trim()}\n`
      if ((now - this.#lastPlain < 2000 && s.progress < 1) || line === this.#lastLine) return
      this.#lastPlain = now
      this.#lastLine = line
      this.out.write(line)
    }
  }

  finish(): void {
    if (this.enabled && this.out.isTTY) this.out.write('\n')
  }
}
