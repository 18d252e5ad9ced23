// The Particle-style bootloader: when the DCT module slot is set, check the staged module, mark
// the slot unused, then copy the module into place (facts §E: Gen3 clears the slot before the
// copy, so a cut mid-copy is not retried: Device OS then finds a bad user module → safe mode).
// Console lines: the format ota-hil's Particle parser documents (harness/bootlog/particle.ts).
import type { DeviceContext, DeviceFlash } from '../../stack.ts';
import type { Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import { checkModule } from './module.ts';
import { clearSlot, readSlot } from './dct.ts';

const COPY = 1024;
const CRC_BYTES_PER_MS = 4000;

export async function runBootloader(ctx: DeviceContext, l: Layout, mut: Mutation): Promise<void> {
  const { flash } = ctx;
  ctx.print('pbl: Particle bootloader');
  const slot = readSlot(flash, l);
  if (!slot) return;
  const inside = (a: number, n: number) => a >= l.user && a + n <= l.ota + l.slotSize;
  const src = inside(slot.src, slot.length) ? checkModule(flash, slot.src, l.slotSize) : null;
  await ctx.sleep(slot.length / CRC_BYTES_PER_MS);
  if (!mut.has('no-verify') && (!src?.ok || src.length !== slot.length || slot.dst !== l.user)) {
    ctx.print(`pbl: OTA module invalid, not applied (${src && !src.ok ? src.reason : 'bad module slot'})`);
    await clearSlot(flash, l);
    return;
  }
  ctx.print('pbl: applying OTA module');
  if (!mut.has('slot-marked-after-copy')) await clearSlot(flash, l);
  await copy(flash, l, slot.src, slot.dst, Math.min(slot.length, l.slotSize));
  if (mut.has('slot-marked-after-copy')) await clearSlot(flash, l);
}

async function copy(flash: DeviceFlash, l: Layout, from: number, to: number, len: number): Promise<void> {
  for (let s = 0; s < len; s += l.sectorSize) {
    await flash.erase(to + s, l.sectorSize);
    const n = Math.min(l.sectorSize, Math.ceil((len - s) / l.writeSize) * l.writeSize);
    for (let o = 0; o < n; o += COPY) await flash.program(to + s + o, flash.view(from + s + o, Math.min(COPY, n - o)));
  }
}
