// How long a run waits for a real board another holds: OTA_HIL_LOCK_WAIT_MS when given (0: fail at
// once), else 60 s or the test's own timeout if that is longer, since a board in two projects of
// one run (a user's testDir and the stock scenarios) is held test by test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockOptionsFromEnv } from '../../harness/locks/board-lock.ts';

test('the lock wait: the environment first, else the longer of 60 s and the test timeout', () => {
  assert.equal(lockOptionsFromEnv({}).waitMs, 60_000);
  assert.equal(lockOptionsFromEnv({}, 30_000).waitMs, 60_000);
  assert.equal(lockOptionsFromEnv({}, 120_000).waitMs, 120_000);
  assert.equal(lockOptionsFromEnv({ OTA_HIL_LOCK_WAIT_MS: '0' }, 120_000).waitMs, 0);
  assert.equal(lockOptionsFromEnv({ OTA_HIL_LOCK_WAIT_MS: '5000' }, 120_000).waitMs, 5000);
  assert.equal(lockOptionsFromEnv({ OTA_HIL_LOCK_WAIT_MS: 'soon' }, 120_000).waitMs, 120_000);
  assert.deepEqual(lockOptionsFromEnv({ OTA_HIL_LOCK_DIR: '/tmp/locks', OTA_HIL_LOCK_LEASE_MS: '9000' }), { dir: '/tmp/locks', waitMs: 60_000, leaseMs: 9000 });
});
