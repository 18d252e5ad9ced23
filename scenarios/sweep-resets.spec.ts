// Warm resets (the reset line, a watchdog) while the stack installs an update. Unlike a power cut,
// a reset keeps RTC memory, so a fork of the flash alone would not be the same board: each point
// is replayed through the harness (runPlan). Points: evenly spread over the install's flash
// operations, found by recording the update once. A reset there must end on the old or the new
// image — never a brick, not even where a power cut is a documented risk.
import { test, expect } from '../harness/index.ts';
import { recordUpdate } from '../harness/faults/record.ts';
import { runPlan } from '../harness/faults/run-plan.ts';

const POINTS = Number(process.env.OTA_HIL_RESET_POINTS ?? 5);

test.describe('warm resets', { tag: ['@sweep', '@reset'] }, () => {
  test('a reset at any of several points of the install ends on the old or the new image', async ({ board, images, report }, testInfo) => {
    test.skip(!board.sim, `${board.name} is hardware: the harness has no reset line to it yet`);
    test.setTimeout(10 * 60_000);
    const rec = await recordUpdate(board, { flow: 'confirm', baseline: images.baseline!, candidate: images.candidate! });
    const install = rec.ops.flatMap((o, i) => (o.phase === 'swap' ? [i + 1] : []));
    await report.notApplicable(install.length === 0, `${board.stack}: the bootloader writes nothing while installing`);
    const ops = [...new Set(Array.from({ length: POINTS }, (_, k) => install[Math.floor(((k + 0.5) * install.length) / POINTS)]!))];
    await report.fault(`warm reset after flash operation ${ops.join(', ')} (the install)`);
    const lines: string[] = [];
    for (const op of ops) {
      const r = await runPlan(board, { name: `reset after op ${op}`, commit: 'confirm', cuts: [{ kind: 'flash-op', op, reset: true }] });
      lines.push(`${r.ok ? 'ok  ' : 'FAIL'} ${r.summary}`);
    }
    const text = lines.join('\n');
    console.log(text);
    await testInfo.attach('resets.txt', { body: text, contentType: 'text/plain' });
    expect(lines.filter((l) => l.startsWith('FAIL')), 'every reset ends on the old or the new image').toEqual([]);
  });
});
