import { lstat, opendir, open, stat, type FileHandle } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { nodeHasher } from '../util/hasher.node.js'
import type { Hasher } from '../util/hasher.js'
import { createTorrent, type CreateInput, type CreateOptions } from './create.js'
import { MetainfoError } from './errors.js'
import type { Metainfo } from './types.js'

export type CreateFromPathOptions = Omit<CreateOptions, 'name' | 'files' | 'read' | 'hasher'> & {
  name?: string
  hasher?: Hasher
}

/** A file gives a single-file torrent; a directory is walked (sorted, symlinks not
 * followed, hidden files included, empty directories ignored) into a multi-file torrent
 * named after the directory. */
export async function createTorrentFromPath(
  path: string,
  opts: CreateFromPathOptions = {},
): Promise<{ torrent: Uint8Array; metainfo: Metainfo }> {
  const root = resolve(path)
  const info = await stat(root)
  const name = opts.name ?? basename(root)
  let entries: { abs: string; input: CreateInput }[]
  if (info.isFile()) {
    entries = [{ abs: root, input: { path: [name], length: info.size } }]
  } else if (info.isDirectory()) {
    entries = await walk(root, [])
    if (entries.length === 0) throw new MetainfoError(`no files under ${root}`)
  } else {
    throw new MetainfoError(`${root} is neither a file nor a directory`)
  }

  const reader = new SequentialReader(entries.map((e) => e.abs))
  try {
    const rest: CreateFromPathOptions = { ...opts }
    delete rest.name
    delete rest.hasher
    return await createTorrent({
      ...rest,
      name,
      files: entries.map((e) => e.input),
      singleFile: info.isFile(),
      hasher: opts.hasher ?? nodeHasher,
      read: (i, offset, length) => reader.read(i, offset, length),
    })
  } finally {
    await reader.close()
  }
}

async function walk(dir: string, prefix: string[]): Promise<{ abs: string; input: CreateInput }[]> {
  const names: string[] = []
  for await (const d of await opendir(dir)) names.push(d.name)
  // Code-unit order is stable across platforms and locales.
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const out: { abs: string; input: CreateInput }[] = []
  for (const name of names) {
    const abs = join(dir, name)
    const st = await lstat(abs)
    if (st.isSymbolicLink()) continue
    if (st.isDirectory()) out.push(...await walk(abs, [...prefix, name]))
    else if (st.isFile()) out.push({ abs, input: { path: [...prefix, name], length: st.size } })
  }
  return out
}

/** Keeps one file open at a time, since files are hashed strictly in order. */
class SequentialReader {
  private index = -1
  private handle: FileHandle | undefined

  constructor(private readonly paths: readonly string[]) {}

  async read(index: number, offset: number, length: number): Promise<Uint8Array> {
    if (index !== this.index) {
      await this.close()
      this.handle = await open(this.paths[index]!, 'r')
      this.index = index
    }
    const buf = new Uint8Array(length)
    let got = 0
    while (got < length) {
      const { bytesRead } = await this.handle!.read(buf, got, length - got, offset + got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    return got === length ? buf : buf.subarray(0, got)
  }

  async close(): Promise<void> {
    const h = this.handle
    this.handle = undefined
    this.index = -1
    await h?.close()
  }
}
