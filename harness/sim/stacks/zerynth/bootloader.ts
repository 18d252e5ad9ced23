// One run of the Zerynth-style bootloader. It acts on the FOTA record:
//   pending   → verify the downloaded image (fresh start only), swap it in keeping the old
//               firmware as the backup, record "testing" and boot it in testing mode;
//   testing   → the new firmware was reset before it was accepted: swap the backup back;
//   reverting → finish that restore.
// An interrupted swap resumes from the journal. Then the firmware slot is verified and booted.
// Console lines: the format ota-hil's Zerynth parser documents (harness/bootlog/zerynth.ts).
import type { DeviceContext } from '../../stack.ts';
import type { Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import { checkImage } from './image.ts';
import { State, eraseJournal, journalDone, readRecord, stateName, writeRecord } from './record.ts';
import { markBegun, swap, swapSteps } from './swap.ts';

/** Simulated SHA-256 throughput, bytes per simulated millisecond. */
const HASH_BYTES_PER_MS = 2000;

export type BootOutcome = { run: true; testing: boolean } | { run: false };

export async function runBootloader(ctx: DeviceContext, l: Layout, mut: Mutation): Promise<BootOutcome> {
  const { flash } = ctx;
  const say = (s: string) => ctx.print(`zbl: ${s}`);
  say('Zerynth bootloader');
  let { rec } = readRecord(flash, l);
  say(`fota record: seq ${rec.seq}, state ${stateName(rec.state)}`);
  let testing = false;
  let told = false;

  if (rec.state === State.TESTING) {
    // Reset while testing: the backup goes back. The journal is cleared before the record says so.
    say('restoring previous firmware');
    told = true;
    await eraseJournal(flash, l);
    rec = await writeRecord(flash, l, { state: State.REVERTING, size: 0, chunks: rec.chunks });
  }
  if (rec.state === State.PENDING || rec.state === State.REVERTING) {
    const total = swapSteps(rec.chunks);
    const entries = mut.has('no-resume') ? 0 : journalDone(flash, l);
    const done = Math.min(Math.max(entries - 1, 0), total);
    let go = true;
    // A restore cut before its first journal entry starts again: it is still a restore on the console.
    if (rec.state === State.REVERTING && !told) say('restoring previous firmware');
    if (entries > 0) {
      say(`resuming firmware swap at step ${done}/${total}`);
    } else if (rec.state === State.PENDING) {
      // Fresh start: the staged image must still be whole.
      const check = checkImage(flash, l.staging, l.slotSize);
      await ctx.sleep(check.ok ? check.size / HASH_BYTES_PER_MS : 1);
      if (!check.ok) {
        say(`firmware rejected: ${check.reason}`);
        rec = await writeRecord(flash, l, { state: State.IDLE, size: 0, chunks: 0 });
        go = false;
      } else say(`swapping firmware (${rec.chunks} chunks)`);
    }
    if (go) {
      if (entries === 0) await markBegun(flash, l);
      await swap(flash, l, mut, rec.chunks, done);
      say('swap done');
      const next = rec.state === State.PENDING ? State.TESTING : State.IDLE;
      rec = await writeRecord(flash, l, { state: next, size: rec.size, chunks: rec.chunks });
      testing = next === State.TESTING;
    }
  }

  const fw = checkImage(flash, l.firmware, l.slotSize);
  await ctx.sleep(fw.ok ? fw.size / HASH_BYTES_PER_MS : 1);
  if (!fw.ok) {
    say(`no valid firmware (${fw.reason})`);
    return { run: false };
  }
  if (testing) say('testing mode');
  say('boot bytecode slot 0, vm slot 0');
  return { run: true, testing };
}
