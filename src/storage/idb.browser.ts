/** Pieces in IndexedDB: a persistent browser store for files larger than memory should hold,
 * and for downloads that survive a reload (verification finds the pieces again). One
 * database per torrent (name given by the caller, e.g. the info hash), one record per piece. */
import { pieceCount, pieceSize, validateLayout } from './file-span.js'
import { StorageError, type Storage, type StorageLayout } from './types.js'

const STORE = 'pieces'

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(new StorageError('io', `IndexedDB: ${req.error?.message ?? 'request failed'}`))
  })
}

export class IdbStorage implements Storage {
  readonly #db: Promise<IDBDatabase>
  readonly #count: number
  #closed = false

  constructor(readonly layout: StorageLayout, readonly name: string, factory: IDBFactory = globalThis.indexedDB) {
    validateLayout(layout)
    this.#count = pieceCount(layout)
    const open = factory.open(`swarmstream:${name}`, 1)
    open.onupgradeneeded = () => { open.result.createObjectStore(STORE) }
    this.#db = promised(open)
    this.#db.catch(() => undefined)
  }

  async #tx(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    if (this.#closed) throw new StorageError('closed', 'storage is closed')
    return (await this.#db).transaction(STORE, mode).objectStore(STORE)
  }

  async write(index: number, offset: number, data: Uint8Array): Promise<void> {
    const size = this.#check(index, offset, data.length)
    // The engine writes whole verified pieces; a partial write merges with what is stored.
    let piece: Uint8Array
    if (offset === 0 && data.length === size) piece = data.slice()
    else {
      piece = (await promised((await this.#tx('readonly')).get(index)) as Uint8Array | undefined) ?? new Uint8Array(size)
      piece.set(data, offset)
    }
    await promised((await this.#tx('readwrite')).put(piece, index))
  }

  async read(index: number, offset: number, length: number): Promise<Uint8Array> {
    this.#check(index, offset, length)
    const piece = await promised((await this.#tx('readonly')).get(index)) as Uint8Array | undefined
    if (!piece) throw new StorageError('missing', `piece ${index} not stored`)
    return piece.slice(offset, offset + length)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    ;(await this.#db.catch(() => undefined))?.close()
  }

  /** Deletes the torrent's database. */
  async destroy(factory: IDBFactory = globalThis.indexedDB): Promise<void> {
    await this.close()
    await promised(factory.deleteDatabase(`swarmstream:${this.name}`)).catch(() => undefined)
  }

  #check(index: number, offset: number, length: number): number {
    if (this.#closed) throw new StorageError('closed', 'storage is closed')
    const size = Number.isInteger(index) && index >= 0 && index < this.#count ? pieceSize(this.layout, index) : 0
    if (size === 0 || offset < 0 || length < 0 || offset + length > size) {
      throw new StorageError('range', `piece ${index} bytes ${offset}+${length} outside piece of ${size}`)
    }
    return size
  }
}
