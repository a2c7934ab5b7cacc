/** A decoded bencode value. Byte strings stay bytes; dictionary keys are kept as
 * binary strings (one char per byte, latin1) inside a Map, so a key such as
 * `__proto__` is just another key and can never reach an object prototype. */
export type BValue = number | Uint8Array | BList | BDict
export type BList = BValue[]
export type BDict = Map<string, BValue>

export interface DecodeLimits {
  /** deepest nesting of lists and dictionaries */
  maxDepth?: number
  /** longest single byte string */
  maxStringLength?: number
  /** most values (integers, strings, lists, dicts) in one document */
  maxTokens?: number
}

export const DEFAULT_LIMITS: Required<DecodeLimits> = {
  maxDepth: 64,
  maxStringLength: 64 * 1024 * 1024,
  maxTokens: 1_000_000,
}
