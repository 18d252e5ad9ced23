// The ESP32 / ESP8266 mask ROM's serial download mode, as esptool talks to it: entered when the
// chip leaves reset with GPIO0 held low (the DTR/RTS auto-reset circuit of a dev board does it).
// SLIP-framed requests [0x00, op, len u16, checksum u32, data] get responses [0x01, op, len u16,
// value u32, data, status bytes] (ESP32: 4 status bytes, ESP8266: 2; status 0 = ok, else
// [1, error]). Flash writes go into the simulated flash through the same operations firmware uses.
import { createHash } from 'node:crypto';
import type { DeviceContext } from '../stack.ts';
import { SlipDecoder, slipEncode } from './slip.ts';

export type EspChip = 'esp32' | 'esp8266';

const Op = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  CHANGE_BAUDRATE: 0x0f,
  SPI_FLASH_MD5: 0x13,
} as const;

/** ROM error codes (esptool's list): invalid message, failed to act, bad checksum, flash write error. */
const Err = { INVALID: 0x05, FAILED: 0x06, CHECKSUM: 0x07, FLASH_WRITE: 0x08 } as const;

/** What esptool reads to tell chips apart (CHIP_DETECT_MAGIC_REG) and to estimate the crystal. */
const CHIPS = {
  esp32: { magic: 0x00f01d83, uartClkdiv: 0x3ff40014, clkdiv: 347, efuseBase: 0x3ff5a000, statusBytes: 4, md5: true },
  esp8266: { magic: 0xfff0c101, uartClkdiv: 0x60000014, clkdiv: 451, efuseBase: 0x3ff00050, statusBytes: 2, md5: false },
} as const;
const CHIP_DETECT_MAGIC_REG = 0x40001000;

class RomError extends Error {
  constructor(readonly code: number, why: string) {
    super(why);
  }
}

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);

/** The ROM's banner for a download-mode boot. */
function banner(ctx: DeviceContext, chip: EspChip): void {
  if (chip === 'esp32') {
    ctx.print('ets Jun  8 2016 00:22:57');
    ctx.print('');
    ctx.print('rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))');
    ctx.print('waiting for download');
  } else {
    ctx.print('');
    ctx.print(' ets Jan  8 2013,rst cause:2, boot mode:(1,7)');
    ctx.print('');
  }
}

/** Serve esptool until a reset or power loss ends this boot. */
export async function runDownloadMode(ctx: DeviceContext, chip: EspChip, readBytes: () => Promise<Uint8Array>): Promise<never> {
  const spec = CHIPS[chip];
  const { flash } = ctx;
  const { sectorSize } = flash.geometry;
  const regs = new Map<number, number>([
    [CHIP_DETECT_MAGIC_REG, spec.magic],
    [spec.uartClkdiv, spec.clkdiv],
  ]);
  // A MAC in the efuses (words 1 and 2 on the ESP32), stable per board name.
  const mac = createHash('md5').update(ctx.board).digest();
  regs.set(spec.efuseBase + 4, mac.readUInt32LE(0));
  regs.set(spec.efuseBase + 8, mac.readUInt16LE(4));
  let write: { offset: number; blockSize: number; blocks: number; seq: number } | null = null;
  const decoder = new SlipDecoder();
  banner(ctx, chip);

  const send = (op: number, value: number, data: Uint8Array, error?: number) => {
    const status = new Uint8Array(spec.statusBytes);
    if (error !== undefined) status.set([1, error]);
    const body = new Uint8Array(8 + data.length + status.length);
    const dv = new DataView(body.buffer);
    body[0] = 0x01;
    body[1] = op;
    dv.setUint16(2, data.length + status.length, true);
    dv.setUint32(4, value >>> 0, true);
    body.set(data, 8);
    body.set(status, 8 + data.length);
    ctx.write(slipEncode(body));
  };

  const handle = async (op: number, data: Uint8Array, checksum: number): Promise<{ value?: number; data?: Uint8Array; after?: () => Promise<never> }> => {
    switch (op) {
      case Op.SYNC:
        return {};
      case Op.READ_REG:
        return { value: regs.get(u32(data, 0)) ?? 0 };
      case Op.WRITE_REG:
        regs.set(u32(data, 0), u32(data, 4));
        return {};
      case Op.SPI_ATTACH:
      case Op.SPI_SET_PARAMS:
      case Op.CHANGE_BAUDRATE: // a simulated UART has no baud rate: acknowledged, nothing changes
      case Op.MEM_BEGIN:
      case Op.MEM_DATA:
        return {};
      case Op.MEM_END:
        // It would jump into the RAM code just loaded (esptool's stub); the simulator runs no
        // uploaded code, so the chip goes quiet until the next reset, as a stub that never starts.
        return { after: () => new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true })) };
      case Op.FLASH_BEGIN: {
        const [eraseSize, blocks, blockSize, offset] = [0, 4, 8, 12].map((at) => u32(data, at)) as [number, number, number, number];
        // The ESP8266 ROM's erase is famously off (esptool sends a size corrected for it); what it
        // ends up erasing is the area the blocks will cover, which is what is modelled for it.
        const len = chip === 'esp8266' ? blocks * blockSize : eraseSize;
        if (offset % sectorSize) throw new RomError(Err.FAILED, `offset 0x${offset.toString(16)} is not sector-aligned`);
        const end = Math.min(flash.geometry.size, Math.ceil((offset + len) / sectorSize) * sectorSize);
        if (offset + blocks * blockSize > flash.geometry.size + blockSize) throw new RomError(Err.FAILED, 'beyond the end of flash');
        for (let a = offset; a < end; a += sectorSize) await flash.erase(a, sectorSize);
        write = { offset, blockSize, blocks, seq: 0 };
        return {};
      }
      case Op.FLASH_DATA: {
        if (!write) throw new RomError(Err.FAILED, 'FLASH_DATA before FLASH_BEGIN');
        const [size, seq] = [u32(data, 0), u32(data, 4)];
        const payload = data.subarray(16, 16 + size);
        if (payload.length !== size) throw new RomError(Err.INVALID, 'short block');
        if (payload.reduce((c, b) => c ^ b, 0xef) !== (checksum & 0xff)) throw new RomError(Err.CHECKSUM, 'block checksum');
        if (seq !== write.seq) throw new RomError(Err.FAILED, `block ${seq}, expected ${write.seq}`);
        const at = write.offset + seq * write.blockSize;
        const n = Math.min(size, flash.geometry.size - at);
        if (n <= 0) throw new RomError(Err.FLASH_WRITE, 'beyond the end of flash');
        await flash.program(at, payload.slice(0, n));
        write.seq++;
        return {};
      }
      case Op.FLASH_END: {
        write = null;
        // 0: leave download mode and run the user code (a reset: the strap pin is released by now).
        if (u32(data, 0) !== 0) return {};
        return {
          after: async () => {
            await ctx.sleep(10);
            ctx.reset('ROM: FLASH_END, run user code');
          },
        };
      }
      case Op.SPI_FLASH_MD5: {
        if (!spec.md5) throw new RomError(Err.INVALID, 'unsupported');
        const [addr, size] = [u32(data, 0), u32(data, 4)];
        if (addr + size > flash.geometry.size) throw new RomError(Err.FAILED, 'beyond the end of flash');
        const hex = createHash('md5').update(flash.read(addr, size)).digest('hex');
        await ctx.sleep(size / 4000); // the ROM reads flash at a few MB/s
        return { data: Buffer.from(hex, 'latin1') };
      }
      default:
        throw new RomError(Err.INVALID, 'unsupported');
    }
  };

  for (;;) {
    for (const p of decoder.push(await readBytes())) {
      if (p.length < 8 || p[0] !== 0x00) continue; // not a request
      const op = p[1]!;
      const len = new DataView(p.buffer, p.byteOffset).getUint16(2, true);
      const data = p.subarray(8, 8 + len);
      try {
        const r = await handle(op, data, u32(p, 4));
        const replies = op === Op.SYNC ? 8 : 1; // the ROM answers a SYNC several times
        for (let i = 0; i < replies; i++) send(op, op === Op.SYNC ? 0x20120707 : (r.value ?? 0), r.data ?? new Uint8Array());
        if (r.after) await r.after();
      } catch (e) {
        if (!(e instanceof RomError)) throw e;
        // An unknown command is answered under another op, which is how esptool tells "unsupported".
        send(e.code === Err.INVALID && e.message === 'unsupported' ? 0x00 : op, 0, new Uint8Array(), e.code);
      }
    }
  }
}
