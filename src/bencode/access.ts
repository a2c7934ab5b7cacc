import { binaryString } from './decode.js'
import type { BDict, BValue } from './types.js'

/** Typed readers for decoded values: each returns undefined when the shape is wrong,
 * so callers decide whether a missing or odd field is an error. */
const utf8 = new TextDecoder('utf-8', { fatal: false })

export const isDict = (v: BValue | undefined): v is BDict => v instanceof Map
export const isBytes = (v: BValue | undefined): v is Uint8Array => v instanceof Uint8Array
export const isInt = (v: BValue | undefined): v is number => typeof v === 'number'
export const isList = (v: BValue | undefined): v is BValue[] => Array.isArray(v)

export function getDict(d: BDict, key: string): BDict | undefined {
  const v = d.get(key); return isDict(v) ? v : undefined
}
export function getBytes(d: BDict, key: string): Uint8Array | undefined {
  const v = d.get(key); return isBytes(v) ? v : undefined
}
export function getInt(d: BDict, key: string): number | undefined {
  const v = d.get(key); return isInt(v) ? v : undefined
}
export function getList(d: BDict, key: string): BValue[] | undefined {
  const v = d.get(key); return isList(v) ? v : undefined
}
/** A byte string read as UTF-8 text (invalid sequences become U+FFFD). */
export function getText(d: BDict, key: string): string | undefined {
  const v = getBytes(d, key); return v === undefined ? undefined : utf8.decode(v)
}
export const text = (b: Uint8Array): string => utf8.decode(b)
export { binaryString }
