// The ESP8266 mask ROM: banner with the reset cause, then it loads eboot from sector 0 and checks
// its checksum, printing the loader lines every real capture shows ('load 0x4010f000, len …').
import type { DeviceContext } from '../../stack.ts';
import { SECTOR } from './layout.ts';
import { computeChecksum, walkImage } from './image.ts';
import { RstCause, takeResetCause } from './rtc.ts';

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

/** True when eboot was loaded and the ROM jumps to it; false: the ROM is stuck (nothing runs). */
export async function runRom(ctx: DeviceContext): Promise<boolean> {
  const cause = takeResetCause(ctx);
  ctx.print('');
  ctx.print(` ets Jan  8 2013,rst cause:${cause}, boot mode:(3,6)`);
  ctx.print('');
  if (cause === RstCause.WDT) ctx.print('wdt reset');
  await ctx.sleep(60); // the ROM's own start-up and its output at 74880 baud
  const img = walkImage(ctx.flash, 0, SECTOR);
  if (!img) return false; // no second stage: the ROM waits, silent
  for (const s of img.segments) ctx.print(`load 0x${hex(s.addr, 8)}, len ${s.size}, room 16 `);
  await ctx.sleep(img.end / 4000); // ~4 MB/s SPI read
  const csum = computeChecksum(ctx.flash, img);
  ctx.print(`tail ${(img.segments.at(-1)?.size ?? 0) % 16}`);
  ctx.print(`chksum 0x${hex(img.checksum, 2)}`);
  ctx.print(`csum 0x${hex(csum, 2)}`);
  return csum === img.checksum;
}
