// The simulated board-powered USB-serial adapter (SimPtyUart): what the board prints after a
// power-on reaches the harness through the pair that power-on brought, never the one the cut took.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Console } from '../../harness/console/console.ts';
import { PtyAdapter } from '../../harness/console/pty-adapter.ts';
import { AdapterPoweredSupply, SimPtyUart } from '../../harness/console/sim-pty.ts';
import { SimDevice } from '../../harness/sim/device.ts';
import type { DeviceContext } from '../../harness/sim/stack.ts';
import { standInStack } from '../helpers/stand-in-stack.ts';

const skip = (() => {
  try {
    execFileSync('python3', ['-c', ''], { stdio: 'ignore' });
    return false;
  } catch {
    return 'python3 is not installed (apt-get install python3)';
  }
})();

let lives = 0;
/** Prints its first line at once (synchronously, as a boot's first print before any await), then waits. */
const banner = standInStack('mcuboot', async (ctx: DeviceContext) => {
  ctx.print(`life ${++lives}: first line`);
  await ctx.sleep(60_000);
});

test('a cut and a power-on in the same tick (both relay frames read in one chunk): the new life starts with its first line', { skip }, async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ota-hil-test-quick-'));
  const device = new SimDevice('quick-1', banner, { timeScale: 1 });
  const uart = new SimPtyUart(device, new PtyAdapter(path.join(root, 'by-id', 'usb-ota-hil_quick-if00-port0'), 'quick-1'), (l) => assert.fail(l));
  const supply = new AdapterPoweredSupply(device, uart);
  supply.powerOn();
  const con = await Console.open({ board: 'quick-1', path: uart.link, baudRate: 115200, waitForPort: true });
  try {
    await con.expect('life 1: first line', { timeout: 10_000 });
    await uart.settled();
    supply.powerOff();
    supply.powerOn();
    await con.expect('life 2: first line', { timeout: 10_000 });
  } finally {
    await con.close();
    supply.powerOff();
    await uart.close();
  }
});
