// A fork's read set (read-memo.ts) reuses the block map of an earlier fork's: nothing the earlier
// fork read may count as read by the next one, or the next recovery would be remembered under a
// smaller read set than it depended on, and a later fork that differs there would take its result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadSet } from '../../harness/faults/read-memo.ts';

test('a read set built on a released one starts with nothing read', () => {
  const size = 64 * 1024;
  for (let round = 0; round < 8; round++) {
    const first = new ReadSet(size);
    first.read(0, size);
    first.erase(4096, 4096);
    assert.deepEqual(first.ranges, [0, size]);
    first.release();
    const next = new ReadSet(size);
    next.read(1000, 10); // inside what the first one read
    next.read(8000, 200);
    assert.deepEqual(next.ranges, [960, 1024, 8000, 8256], `round ${round}: the next fork's reads were taken as read before`);
    next.release();
  }
});

