// Zerynth-style: new firmware becomes permanent once it reaches its device manager. The harness
// runs one (harness/fixtures/device-manager.ts) that refuses connections until the commit.
import { Type } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { DeviceManager } from '../fixtures/device-manager.ts';
import type { CommitContext, CommitMethod } from './method.ts';

const ACK_TIMEOUT_MS = 15_000;
const PROVISION_TIMEOUT_MS = 10_000;

/** Rig entry `commit: { kind: 'device-manager', ... }`. */
export const deviceManagerCommit = defineKind({
  kind: 'device-manager',
  description: 'Zerynth-style: new firmware becomes permanent once it reaches its device manager; the harness runs one and refuses connections until the commit',
  options: {
    host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'address the harness device manager listens on' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    provision: Type.Optional(Type.String({ default: 'zdm endpoint {address}', description: 'console command that tells the board where its device manager is; {address} is host:port' })),
    expect: Type.Optional(Type.String({ default: 'zfota: accepted', description: 'regex of the console line that shows the board accepted its firmware' })),
  },
  create: (config, ctx: CommitContext): CommitMethod => {
    // provision and expect have schema defaults, which the rig loader fills in.
    const provision = config.provision!;
    const ack = new RegExp(config.expect!);
    let dm: DeviceManager | null = null;
    return {
      description: 'the device manager accepts the board',
      acts: true,
      async open() {
        dm = await DeviceManager.start({ board: ctx.board, host: config.host, port: config.port, note: (t) => ctx.note?.(t) });
      },
      async installed(io) {
        if (!dm) return;
        const command = provision.replaceAll('{address}', dm.address);
        const from = io.mark();
        await io.send(command);
        await io.expect(new RegExp(escape(dm.address)), from, PROVISION_TIMEOUT_MS);
      },
      async commit(io) {
        // A sweep's fork has no device manager of its own: the board reached the recording's,
        // which outlives it, by itself, so the acknowledgement may already be on this power-on.
        let from = io.powerOnMark();
        if (dm) {
          io.note(`commit: device manager at ${dm.address} now accepts connections`);
          from = io.mark();
          dm.allow();
        }
        await io.expect(ack, from, ACK_TIMEOUT_MS);
      },
      async close() {
        await dm?.close();
      },
    };
  },
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
