/** The download folder, checked before any peer is asked for anything, with errors that
 * name the cause (a missing parent, no permission, a file in the way, a read-only disk). */
import { mkdir, access, stat, constants } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'

/** Where streaming commands keep what they fetch when no -o is given. */
export const STREAM_FOLDER = join(tmpdir(), 'swarmstream')

export class FolderError extends Error {
  override name = 'FolderError'
}

export async function prepareFolder(dir: string): Promise<string> {
  const full = resolve(dir)
  try {
    await makeFolders(full)
  } catch (err) {
    throw new FolderError(`cannot create the folder ${full}: ${why(err as NodeJS.ErrnoException)}`)
  }
  const info = await stat(full)
  if (!info.isDirectory()) throw new FolderError(`cannot save into ${full}: it is a file, not a folder`)
  try {
    await access(full, constants.W_OK)
  } catch (err) {
    throw new FolderError(`cannot write to ${full}: ${why(err as NodeJS.ErrnoException)}`)
  }
  return full
}

/** mkdir -p, one level at a time: Node's recursive mkdir never returns where a parent
 * exists but refuses new folders (it loops on ENOENT under /proc, say). */
async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = []
  for (let d = dir; ; d = dirname(d)) {
    try {
      await stat(d)
      break
    } catch {
      missing.push(d)
      if (dirname(d) === d) break
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
}

function why(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EACCES': case 'EPERM': return 'permission denied'
    case 'EROFS': return 'the file system is read-only'
    case 'ENOTDIR': return 'a file is in the way on its path'
    case 'ENOENT': return 'its parent cannot hold new folders (it does not exist, or is not a real folder)'
    case 'ENOSPC': return 'no space left on the device'
    default: return e.message
  }
}
