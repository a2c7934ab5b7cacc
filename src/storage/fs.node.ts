/** Files on disk under one root folder. Positional reads and writes (pread/pwrite) through a
 * bounded LRU of handles; files and folders are created lazily on first write, so untouched
 * regions stay sparse. Paths are sanitized upstream (metainfo), and checked again here: a
 * resolved path must stay inside the root, or the operation fails with StorageError('escape').
 *
 * Reading: a file that does not exist throws StorageError('missing') (verification then treats
 * the piece as absent); bytes past the end of an existing file read as zeros (sparse, never
 * written). Pad files (BEP 47) are never created and read as zeros.
 *
 * Files the user did not select are never created: a piece touching one is kept whole in
 * the parts folder (part-store.node.ts) and read from there; selecting the file moves its
 * bytes into place. */
import { mkdir, rm, rmdir, stat, type FileHandle } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { FileHandlePool } from './file-handles.node.js'
import { PartStore } from './part-store.node.js'
import { pieceSize, piecesPossiblyPresent, spanPiece, validateLayout, type FileSegment } from './file-span.js'
import { StorageError, type Storage, type StorageLayout } from './types.js'

export interface FsStorageOptions {
  /** Open file handles kept in the LRU (default 64). */
  maxOpenFiles?: number
  /** Files not to create (deselected); see setSelection. */
  skipFiles?: (fileIndex: number) => boolean
  /** names this torrent's parts folder (the info hash; default "torrent") */
  partsId?: string
}

export class FsStorage implements Storage {
  readonly root: string
  private readonly paths: (string | StorageError)[]
  private readonly handles: FileHandlePool
  private skip: (fileIndex: number) => boolean
  private readonly parts: PartStore
  private closed = false

  constructor(root: string, readonly layout: StorageLayout, opts: FsStorageOptions = {}) {
    validateLayout(layout)
    this.root = resolve(root)
    this.paths = layout.files.map((f) => safeJoin(this.root, f.path))
    this.handles = new FileHandlePool(Math.max(1, opts.maxOpenFiles ?? 64))
    this.skip = opts.skipFiles ?? (() => false)
    this.parts = new PartStore(this.root, opts.partsId ?? 'torrent')
  }

  async write(index: number, offset: number, data: Uint8Array): Promise<void> {
    this.assertOpen()
    const segments = spanPiece(this.layout, index, offset, data.length)
    const toParts = this.touchesSkipped(index) ? [this.parts.write(index, pieceSize(this.layout, index), offset, data)] : []
    await Promise.all([...toParts, ...segments.map((s) => this.writeSegment(s, data))])
  }

  async read(index: number, offset: number, length: number): Promise<Uint8Array> {
    this.assertOpen()
    const segments = spanPiece(this.layout, index, offset, length)
    if (await this.parts.has(index)) return this.parts.read(index, offset, length)
    // Not zero-filled: every byte is either read or zeroed below (pads, past the end of file).
    const raw = Buffer.allocUnsafe(length)
    const out = new Uint8Array(raw.buffer, raw.byteOffset, length)
    await Promise.all(segments.map((s) => this.readSegment(s, out)))
    return out
  }

  /** Creates the zero-length files of the layout (which no write would ever create). */
  async ensureEmptyFiles(): Promise<void> {
    this.assertOpen()
    await Promise.all(this.layout.files.map(async (f, i) => {
      if (f.length !== 0 || f.padding === true || this.skip(i)) return
      await this.withHandle(i, 'write', async () => undefined)
    }))
  }

  /** For verifyStorage's `possiblyPresent`: rules out, by file sizes alone, the pieces whose
   * files are missing or too short, so they are not read. */
  async possiblyPresent(): Promise<(index: number) => boolean> {
    const byFiles = piecesPossiblyPresent(this.layout, await fileSizesOnDisk(this.root, this.layout))
    const held = new Set(await this.parts.list())
    return (index) => held.has(index) || byFiles(index)
  }

  /** Which files the user wants: pieces in the parts folder that no longer touch a skipped
   * file move into their files; new writes to skipped files go to the parts folder. */
  async setSelection(selected: (fileIndex: number) => boolean): Promise<void> {
    this.assertOpen()
    this.skip = (i) => !selected(i)
    for (const index of await this.parts.list()) {
      const size = pieceSize(this.layout, index)
      const data = await this.parts.read(index, 0, size)
      await Promise.all(spanPiece(this.layout, index, 0, size).map((s) => this.writeSegment(s, data)))
      if (!this.touchesSkipped(index)) await this.parts.remove(index)
    }
  }

  private touchesSkipped(index: number): boolean {
    return spanPiece(this.layout, index, 0, pieceSize(this.layout, index)).some((s) => !s.padding && this.skip(s.fileIndex))
  }

  /** fdatasync of the files whose handles are open (handles evicted from the LRU were closed
   * without a sync; the OS writes their pages back on its own schedule). */
  async flush(): Promise<void> {
    this.assertOpen()
    await this.handles.syncAll().catch((err: unknown) => { throw ioError('flush', err) })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.handles.closeAll()
  }

  /** Closes and deletes every file of the layout, then the folders left empty (never the root). */
  async destroy(): Promise<void> {
    await this.close()
    await this.parts.destroy()
    const dirs = new Set<string>()
    for (const p of this.paths) {
      if (typeof p !== 'string') continue
      await rm(p, { force: true })
      for (let d = dirname(p); d.startsWith(this.root + sep); d = dirname(d)) dirs.add(d)
    }
    // deepest first, so parents are empty by the time we reach them
    for (const d of [...dirs].sort((a, b) => b.length - a.length)) await rmdir(d).catch(() => undefined)
  }

  private async writeSegment(s: FileSegment, data: Uint8Array): Promise<void> {
    if (s.padding || this.skip(s.fileIndex)) return
    await this.withHandle(s.fileIndex, 'write', async (h) => {
      let done = 0
      while (done < s.length) {
        const { bytesWritten } = await h.write(data, s.bufferOffset + done, s.length - done, s.fileOffset + done)
        if (bytesWritten <= 0) throw new StorageError('io', `short write to file ${s.fileIndex}`)
        done += bytesWritten
      }
    })
  }

  private async readSegment(s: FileSegment, out: Uint8Array): Promise<void> {
    if (s.padding) { out.fill(0, s.bufferOffset, s.bufferOffset + s.length); return } // BEP 47: pad bytes are zeros
    await this.withHandle(s.fileIndex, 'read', async (h) => {
      let done = 0
      while (done < s.length) {
        const { bytesRead } = await h.read(out, s.bufferOffset + done, s.length - done, s.fileOffset + done)
        if (bytesRead === 0) { out.fill(0, s.bufferOffset + done, s.bufferOffset + s.length); return } // past end of file: never written
        done += bytesRead
      }
    })
  }

  /** Opens file `i` (creating its folders for writes) and runs `fn`, mapping errors to StorageError. */
  private async withHandle<T>(i: number, mode: 'read' | 'write', fn: (h: FileHandle) => Promise<T>): Promise<T> {
    const path = this.paths[i]
    if (path === undefined) throw new StorageError('range', `no file ${i}`)
    if (typeof path !== 'string') throw path
    try {
      return await this.handles.use(path, mode, fn)
    } catch (err) {
      if (err instanceof StorageError) throw err
      if (errno(err) === 'ENOENT') {
        if (mode === 'read') throw new StorageError('missing', `file ${i} does not exist`, { cause: err })
        await mkdir(dirname(path), { recursive: true }).catch((e: unknown) => { throw ioError(`mkdir for file ${i}`, e) })
        this.assertOpen() // closed meanwhile: opening now would leak a handle
        try {
          return await this.handles.use(path, mode, fn)
        } catch (again) {
          throw again instanceof StorageError ? again : ioError(`file ${i}`, again)
        }
      }
      throw ioError(`file ${i}`, err)
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('closed', 'storage is closed')
  }
}

/** Size on disk of every file of the layout, -1 when missing (pad files report their length,
 * they are virtual). Feed it to piecesPossiblyPresent() so verification skips pieces of files
 * that were never written without reading them. */
export async function fileSizesOnDisk(root: string, layout: StorageLayout): Promise<number[]> {
  const base = resolve(root)
  return Promise.all(layout.files.map(async (f) => {
    if (f.padding === true) return f.length
    const p = safeJoin(base, f.path)
    if (typeof p !== 'string') return -1
    try {
      const st = await stat(p)
      return st.isFile() ? st.size : -1
    } catch {
      return -1
    }
  }))
}

/** Joins sanitized components under root; defense in depth against `..`, absolute or empty
 * components slipping through: the result must be strictly inside root. */
function safeJoin(root: string, components: readonly string[]): string | StorageError {
  const bad = components.length === 0 || components.some((c) => c === '' || c === '.' || c === '..' || c.includes('\0'))
  const p = resolve(root, ...components)
  if (bad || !p.startsWith(root.endsWith(sep) ? root : root + sep)) {
    return new StorageError('escape', `path ${JSON.stringify(components.join('/'))} leaves the storage root`)
  }
  return p
}

function errno(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

function ioError(what: string, cause: unknown): StorageError {
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new StorageError('io', `${what}: ${detail}`, { cause })
}
