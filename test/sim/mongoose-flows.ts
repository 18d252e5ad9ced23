// Update flows shared by the Mongoose OS board tests (ESP32 'mongoose-os' and ESP8266 'rboot'):
// install, update over OTA.Update, commit or not, power cycles; each returns what the console
// showed so tests can assert on versions and on the exact lines.
import assert from 'node:assert/strict';
import type { SimStack, ImageBuild } from '../../harness/sim/stack.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import { parserFor } from '../../harness/bootlog/registry.ts';
import { Board, BASELINE, CANDIDATE, serve } from './mongoose-helpers.ts';

export const INIT_DONE = /mgos_init\.c:\d+\s+Init done/;

/** Baseline installed and up, with conf9.json written over the console. */
export async function baselineUp(stack: SimStack, config: SimConfig = {}): Promise<Board> {
  const board = new Board(stack, config);
  board.install(BASELINE);
  board.device.powerOn();
  assert.equal(await board.version(0), '1.0.0');
  await board.waitFor(INIT_DONE);
  const r = await board.call('FS.Put', { filename: 'conf9.json', data: Buffer.from('{"device":"lab-7"}').toString('base64') });
  assert.deepEqual(r.result, null, JSON.stringify(r));
  return board;
}

/** OTA.Update to `candidate`; resolves at the first line of the boot that follows (its mark). */
export async function update(board: Board, candidate: ImageBuild | Uint8Array = CANDIDATE, commitTimeout = 300): Promise<number> {
  const image = candidate instanceof Uint8Array ? candidate : board.image(candidate);
  const server = await serve(image);
  const m = board.mark();
  board.send(`OTA.Update ${JSON.stringify({ url: server.url, commit_timeout: commitTimeout })}`);
  const at = await board.waitFor(/Rebooting in 100 ms/, m, 10_000);
  await server.close();
  return at + 1;
}

/** Wait until the app that boots after `from` is fully up; returns its version. */
export async function upFrom(board: Board, from: number, timeoutMs = 5000): Promise<string> {
  const v = await board.version(from, timeoutMs);
  await board.waitFor(INIT_DONE, from, timeoutMs);
  return v;
}

/** The boot-log parser's reading of the console since `from` (what the harness would conclude). */
export function parsed(board: Board, stackName: 'mongoose-os' | 'rboot', from = 0): [string | null, string, string | null][] {
  return parserFor(stackName)
    .parse(board.lines.slice(from))
    .map((b) => [b.slot, b.event, b.version]);
}

/** Versions over: trial boot, then `cycles` power cycles with the commit withheld. */
export async function withheldCommit(stack: SimStack, config: SimConfig = {}, cycles = 2): Promise<string[]> {
  const board = await baselineUp(stack, config);
  const out = [await upFrom(board, await update(board))];
  for (let i = 0; i < cycles; i++) out.push(await upFrom(board, await board.powerCycle()));
  await board.powerOff();
  return out;
}

/** A crashing candidate, commit withheld: the versions that come up, until the baseline does or 4 boots. */
export async function crashingCandidate(stack: SimStack, config: SimConfig = {}): Promise<{ versions: string[]; log: string }> {
  const board = await baselineUp(stack, config);
  const m = await update(board, { version: '1.2.0', boot: 'crash', confirm: 'wait' });
  const versions: string[] = [];
  let from = m;
  for (let i = 0; i < 4; i++) {
    const at = await board.waitFor(/main\.c:24\s+Firmware version/, from, 5000).catch(() => -1);
    if (at < 0) break;
    versions.push(/Firmware version (\S+)/.exec(board.lines[at]!)![1]!);
    if (versions.at(-1) === '1.0.0') break;
    from = at + 1;
  }
  const log = board.since(m);
  await board.powerOff();
  return { versions, log };
}

/** conf9.json (written on the baseline) and conf0.json (shipped) as the trial boot reads them. */
export async function mergedFiles(stack: SimStack, config: SimConfig = {}): Promise<{ conf9: string | null; conf0: string | null; index: string | null; log: string }> {
  const board = await baselineUp(stack, config);
  const m = await update(board);
  assert.equal(await upFrom(board, m), '1.1.0');
  const files = { conf9: await board.readFile('conf9.json'), conf0: await board.readFile('conf0.json'), index: await board.readFile('index.html') };
  const log = board.since(m);
  await board.powerOff();
  return { ...files, log };
}
