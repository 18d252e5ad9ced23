// A minimal simulated firmware for transport tests: it starts the device sides of the given
// transports over an in-memory UpdateSink that prints what it received, checks the MD5 the
// transport announced, and reboots on activation, like the stacks under harness/sim/stacks do.
import { createHash } from 'node:crypto';
import type { DeviceContext, SimStack } from '../../harness/sim/stack.ts';
import { standInStack } from '../helpers/stand-in-stack.ts';
import type { UpdateSink } from '../../harness/sim/update-sink.ts';
import { startDeviceTransports, type DeviceTransportKind, type DeviceTransportOptions } from '../../harness/sim/transports/index.ts';

export function sinkStack(kinds: DeviceTransportKind[], options: DeviceTransportOptions = {}, opts: { maxSize?: number } = {}): SimStack {
  return standInStack(
    'esp8266-arduino',
    async (ctx: DeviceContext) => {
      ctx.print(`peer: boot ${ctx.bootIndex}`);
      const transports = startDeviceTransports(ctx, memorySink(ctx, opts.maxSize ?? 1 << 20), kinds, options);
      for (;;) {
        const line = await ctx.readLine();
        if (await transports.consoleLine(line)) continue;
        ctx.print(`peer$ ${line}`);
      }
    },
    1,
  );
}

function memorySink(ctx: DeviceContext, maxSize: number): UpdateSink {
  let size = 0;
  let md5: string | undefined;
  let parts: Uint8Array[] = [];
  let received = 0;
  return {
    begin(n, meta) {
      if (n > maxSize) return Promise.reject(new Error(`Not Enough Space`));
      size = n;
      md5 = meta?.md5;
      parts = [];
      received = 0;
      ctx.print(`sink: begin ${n}${meta?.filename ? ` ${meta.filename}` : ''}`);
      return Promise.resolve();
    },
    async write(offset, data) {
      if (offset !== received) throw new Error(`write at ${offset}, expected ${received}`);
      await ctx.sleep(1);
      parts.push(data.slice());
      received += data.length;
    },
    end() {
      const all = Buffer.concat(parts);
      const got = createHash('md5').update(all).digest('hex');
      if (all.length !== size) return Promise.reject(new Error(`size ${all.length} != ${size}`));
      if (md5 && md5 !== got) return Promise.reject(new Error('MD5 Failed'));
      ctx.print(`sink: got ${all.length} bytes sha256=${createHash('sha256').update(all).digest('hex')}`);
      ctx.rtc.set('committed', false); // RTC memory: the next boot (a warm reset) still knows
      return Promise.resolve();
    },
    abort(reason) {
      ctx.print(`sink: aborted: ${reason}`);
      return Promise.resolve();
    },
    async activate() {
      await ctx.sleep(10);
      ctx.reset('update');
    },
    commit() {
      ctx.rtc.set('committed', true);
      ctx.print('sink: committed');
      return Promise.resolve();
    },
    revert() {
      ctx.print('sink: reverted');
      return Promise.resolve();
    },
    bootState: () => ({ active_slot: 0, is_committed: ctx.rtc.get('committed') !== false, revert_slot: 1, commit_timeout: 0 }),
  };
}
