/** Pieces that touch a file the user did not select are kept whole in a parts folder
 * (`<root>/.swarmstream.parts/<id>/<piece>`) instead of creating that file: the user's folder
 * holds only what they chose, and a piece shared with a chosen file can still be read back
 * whole, verified and served. Selecting the file later moves its bytes into place. */
import { mkdir, readFile, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const PARTS_FOLDER = '.swarmstream.parts'

export class PartStore {
  readonly dir: string
  /** pieces held, once listed from disk */
  #held: Set<number> | undefined

  constructor(private readonly root: string, id: string) {
    this.dir = join(root, PARTS_FOLDER, id)
  }

  async #pieces(): Promise<Set<number>> {
    this.#held ??= new Set((await readdir(this.dir).catch(() => [] as string[])).filter((n) => /^\d+$/.test(n)).map(Number))
    return this.#held
  }

  async has(index: number): Promise<boolean> { return (await this.#pieces()).has(index) }
  async list(): Promise<number[]> { return [...await this.#pieces()].sort((a, b) => a - b) }

  /** Writes `data` at `offset` of the held piece of `size` bytes (created zero-filled). */
  async write(index: number, size: number, offset: number, data: Uint8Array): Promise<void> {
    const held = await this.#pieces()
    let piece: Uint8Array
    if (offset === 0 && data.length === size) piece = data
    else {
      piece = held.has(index) ? new Uint8Array(await readFile(this.#path(index))) : new Uint8Array(size)
      piece.set(data, offset)
    }
    await mkdir(this.dir, { recursive: true })
    // write-then-rename: a crash leaves the old piece or the new one, never half of each
    const tmp = `${this.#path(index)}.tmp`
    await writeFile(tmp, piece)
    await rename(tmp, this.#path(index))
    held.add(index)
  }

  async read(index: number, offset: number, length: number): Promise<Uint8Array> {
    const piece = await readFile(this.#path(index))
    return new Uint8Array(piece.buffer, piece.byteOffset + offset, Math.min(length, piece.length - offset))
  }

  async remove(index: number): Promise<void> {
    const held = await this.#pieces()
    if (!held.delete(index)) return
    await rm(this.#path(index), { force: true })
    if (held.size === 0) await this.#removeFolders()
  }

  async destroy(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true })
    this.#held = new Set()
    await this.#removeFolders()
  }

  async #removeFolders(): Promise<void> {
    await rmdir(this.dir).catch(() => undefined)
    await rmdir(join(this.root, PARTS_FOLDER)).catch(() => undefined)
  }

  #path(index: number): string { return join(this.dir, String(index)) }
}
