/** A bounded LRU of open FileHandles. Torrents may hold thousands of files; keeping every one
 * open would exhaust descriptors, reopening for every block would cost a syscall pair each.
 * Handles in use are never closed under an operation: they are reference counted and only
 * idle ones are evicted (the cache may briefly exceed its bound when all are busy). */
import { constants, type FileHandle, open } from 'node:fs/promises'

interface Entry {
  opening: Promise<FileHandle>
  handle?: FileHandle
  writable: boolean
  refs: number
}

export type OpenMode = 'read' | 'write'

export class FileHandlePool {
  /** Map iteration order is the LRU order: touched entries are re-inserted at the end. */
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly max: number) {}

  /** Runs `fn` with an open handle for `path`. 'read' opens an existing file (ENOENT is thrown
   * to the caller); 'write' creates it (not its folders) if needed, never truncating. */
  async use<T>(path: string, mode: OpenMode, fn: (h: FileHandle) => Promise<T>): Promise<T> {
    let entry = this.entries.get(path)
    if (entry !== undefined && mode === 'write' && !entry.writable) {
      // opened read-only earlier (read-only media, or a read before the first write): reopen
      this.entries.delete(path)
      void this.closeWhenIdle(entry)
      entry = undefined
    }
    if (entry === undefined) {
      entry = { opening: openHandle(path, mode), writable: mode === 'write', refs: 0 }
      const e = entry
      e.opening.then((h) => { e.handle = h }, () => { if (this.entries.get(path) === e) this.entries.delete(path) })
      this.entries.set(path, entry)
    } else {
      this.entries.delete(path)
      this.entries.set(path, entry)
    }
    entry.refs++ // before evicting, so the entry we are about to use is never the victim
    this.evict()
    try {
      const h = await entry.opening
      return await fn(h)
    } finally {
      entry.refs--
      if (this.entries.get(path) !== entry) void this.closeWhenIdle(entry)
      else if (this.entries.size > this.max) this.evict()
    }
  }

  async syncAll(): Promise<void> {
    const handles = [...this.entries.values()].filter((e) => e.writable && e.handle !== undefined)
    await Promise.all(handles.map((e) => e.handle!.datasync()))
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.values()]
    this.entries.clear()
    await Promise.all(all.map((e) => this.closeWhenIdle(e)))
  }

  /** Forgets and closes the handle of one path (before deleting the file). */
  async closePath(path: string): Promise<void> {
    const e = this.entries.get(path)
    if (e === undefined) return
    this.entries.delete(path)
    await this.closeWhenIdle(e)
  }

  private evict(): void {
    for (const [path, e] of this.entries) {
      if (this.entries.size <= this.max) return
      if (e.refs > 0) continue
      this.entries.delete(path)
      void this.closeWhenIdle(e)
    }
  }

  /** Closes once no operation uses the entry; the last user closes it otherwise (see use()). */
  private async closeWhenIdle(e: Entry): Promise<void> {
    if (e.refs > 0) return
    const h = await e.opening.catch(() => undefined)
    if (h !== undefined && e.refs === 0) await h.close().catch(() => undefined)
  }
}

async function openHandle(path: string, mode: OpenMode): Promise<FileHandle> {
  if (mode === 'read') return open(path, 'r')
  // O_CREAT without O_TRUNC: keep what is there (resume), create sparse otherwise
  return open(path, constants.O_RDWR | constants.O_CREAT, 0o666)
}
