/** The priority logic of stream readers: windows, seeking, several readers, selection. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ReaderWindows, windowSize, PRIORITY_READAHEAD } from '../../src/engine/reader-windows.js'
import { PRIORITY_CRITICAL } from '../../src/engine/picker.js'

const tick = () => new Promise<void>((r) => queueMicrotask(r))

function prioritiesOf(windows: ReaderWindows, selection: number[]): number[] {
  const prio = Uint8Array.from(selection)
  windows.apply(prio)
  return [...prio]
}

test('window sizes follow the piece length', () => {
  assert.deepEqual(windowSize(1024 * 1024), { critical: 2, readahead: 8 })
  assert.deepEqual(windowSize(16384, 256 * 1024), { critical: 16, readahead: 16 })
  assert.deepEqual(windowSize(16 * 1024 * 1024), { critical: 2, readahead: 1 })
})

test('a reader makes its position critical and the next pieces high; seeking moves them; ending restores', async () => {
  let changes = 0
  const windows = new ReaderWindows(() => changes++)
  const w = windows.add(19, { critical: 2, readahead: 3 })
  const normal = new Array<number>(20).fill(1)
  assert.deepEqual(prioritiesOf(windows, normal), normal, 'nothing before the reader starts')
  w.moveTo(0)
  await tick()
  assert.equal(changes, 1)
  const C = PRIORITY_CRITICAL, H = PRIORITY_READAHEAD
  assert.deepEqual(prioritiesOf(windows, normal).slice(0, 7), [C, C, H, H, H, 1, 1])
  w.moveTo(10) // a seek
  w.moveTo(10)
  await tick()
  assert.equal(changes, 2, 'one recomputation per batch, none when nothing moved')
  const after = prioritiesOf(windows, normal)
  assert.deepEqual(after.slice(0, 10), new Array<number>(10).fill(1), 'the old position went back to normal')
  assert.deepEqual(after.slice(10, 16), [C, C, H, H, H, 1])
  w.moveTo(18) // near the end of its range: the window stops at the last piece
  await tick()
  assert.deepEqual(prioritiesOf(windows, normal).slice(16), [1, 1, C, C])
  w.remove()
  await tick()
  assert.equal(windows.size, 0)
  assert.equal(changes, 4)
  assert.deepEqual(prioritiesOf(windows, normal), normal)
})

test('several readers combine with file selection by max; a deselected file gets its window', async () => {
  const windows = new ReaderWindows(() => undefined)
  const a = windows.add(9, { critical: 1, readahead: 2 })
  const b = windows.add(9, { critical: 1, readahead: 2 })
  a.moveTo(1)
  b.moveTo(2)
  const C = PRIORITY_CRITICAL, H = PRIORITY_READAHEAD
  // pieces 0..4 skipped (deselected file), 5..9 normal
  const selection = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
  assert.deepEqual(prioritiesOf(windows, selection), [0, C, C, H, H, 1, 1, 1, 1, 1], 'b\'s critical piece wins over a\'s readahead')
  b.moveTo(8)
  assert.deepEqual(prioritiesOf(windows, selection), [0, C, H, H, 0, 1, 1, 1, C, H])
  a.remove()
  assert.deepEqual(prioritiesOf(windows, selection), [0, 0, 0, 0, 0, 1, 1, 1, C, H])
  // a window never lowers a higher priority set elsewhere
  assert.deepEqual(prioritiesOf(windows, [0, 0, 0, 0, 0, 0, 0, 0, 6, 6]), [0, 0, 0, 0, 0, 0, 0, 0, C, 6])
})
