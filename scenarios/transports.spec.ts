// Every OTA transport a board's firmware offers, driven over its wire protocol on the default
// sim rig: a cut at an exact byte of the transfer keeps the baseline, then a full delivery boots
// the candidate and the commit keeps it. The rig's own transport is used when it is that kind;
// otherwise the transport is built from a rig-style config against the same board.
import { test, expect, type Board } from '../harness/index.ts';
import type { TransportConfig } from '../harness/rig/schema.ts';
import { createTransport } from '../harness/ota/registry.ts';
import type { OtaTransport } from '../harness/ota/transport.ts';
import { HTTP_PUSH_ADDRESS } from '../harness/ota/http-push.ts';
import { ESPOTA_ADDRESS } from '../harness/ota/espota.ts';

const CONFIGS: Partial<Record<TransportConfig['kind'], TransportConfig>> = {
  smp: { kind: 'smp', upgrade: 'test' },
  'mos-rpc': { kind: 'mos-rpc', commitTimeout: 300 },
  'http-push': { kind: 'http-push' },
  espota: { kind: 'espota' },
};

const ANNOUNCED: Partial<Record<TransportConfig['kind'], RegExp>> = { 'http-push': HTTP_PUSH_ADDRESS, espota: ESPOTA_ADDRESS };

function transportFor(board: Board, kind: TransportConfig['kind']): { t: OtaTransport; own: boolean } {
  if (board.config.transport.kind === kind) return { t: createTransport(board.config.transport, { board: board.name, console: board.console }), own: true };
  return { t: createTransport(CONFIGS[kind]!, { board: board.name, console: board.console }), own: false };
}

/** A network transport needs the address this boot printed, not the last boot's. */
async function announced(board: Board, kind: TransportConfig['kind'], from: number): Promise<void> {
  const re = ANNOUNCED[kind];
  if (re) await board.console.expect(re, { from, timeout: 15_000 });
}

for (const kind of ['smp', 'mos-rpc', 'http-push', 'espota'] as const) {
  test(`${kind}: a cut at half the transfer keeps the baseline; a full delivery boots the candidate and stays`, { tag: ['@transport', `@${kind}`, '@download-cut'] }, async ({ board, images, report }) => {
    await report.notApplicable(!board.profile.transports.includes(kind) && board.config.transport.kind !== kind, `${board.stack} firmware does not offer ${kind}`);
    await report.fault(`${kind}: power cut at 50% of the transfer`);
    const promised = board.promises;
    const { t } = transportFor(board, kind);
    try {
      let mark = board.console.lines.length;
      await board.install(images.baseline!);
      await announced(board, kind, mark);
      const d = await t.start(images.candidate!);
      board.otaLog.track(d, `${images.candidate!.name} ${images.candidate!.version} (${kind})`);
      const held = await d.reached({ fraction: 0.5 });
      expect(held.bytes).toBe(Math.round(images.candidate!.bytes.length / 2));
      await board.power.cut();
      mark = board.console.lines.length;
      await board.power.restore();
      await expect(board).toBoot({ version: images.baseline!.version, event: 'normal' });

      await announced(board, kind, mark);
      const full = await t.start(images.candidate!);
      board.otaLog.track(full, `${images.candidate!.name} ${images.candidate!.version} (${kind})`);
      expect((await full.delivered()).bytes).toBe(images.candidate!.bytes.length);
      await expect(board).toBoot({ version: images.candidate!.version, event: promised.firstBoot.event });
      await board.commit();
      await board.power.cycle();
      await expect(board).toBoot({ version: images.candidate!.version, event: 'normal' });
    } finally {
      await t.close();
    }
  });
}

test('http-pull: a dropped download leaves the baseline running; the next one succeeds', { tag: ['@transport', '@http-pull'] }, async ({ board, images, report }) => {
  const cfg = board.config.transport;
  await report.notApplicable(cfg.kind !== 'http-pull', `the board's transport is ${cfg.kind}, not http-pull`);
  if (cfg.kind !== 'http-pull') return;
  await report.fault('the image server drops the connection at 50%');
  const promised = board.promises;
  await board.install(images.baseline!);
  const half = Math.round(images.candidate!.bytes.length / 2);
  const faulty = createTransport({ ...cfg, faults: { dropAtByte: half, times: 1 } }, { board: board.name, console: board.console });
  try {
    const d = await faulty.start(images.candidate!);
    await expect.poll(() => d.progress().bytes, { timeout: 30_000 }).toBe(half);
  } finally {
    await faulty.close();
  }
  await board.power.cycle();
  await expect(board).toBoot({ version: images.baseline!.version, event: 'normal' });
  await board.ota.run(images.candidate!, { commit: 'confirm' });
  await expect(board).toBoot({ version: images.candidate!.version, event: promised.firstBoot.event });
});
