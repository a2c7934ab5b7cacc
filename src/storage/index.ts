/** Browser-safe storage exports; FsStorage lives in fs.node.ts. */
export { StorageError, type Storage, type StorageLayout, type StorageFile, type StorageErrorCode } from './types.js'
export { type FileSegment, pieceCount, pieceSize, validateLayout, fileAt, spanRange, spanPiece, piecesOfFile, piecesPossiblyPresent } from './file-span.js'
export { MemoryStorage } from './memory.js'
export { verifyStorage, type VerifyOptions } from './verify.js'
