// App-side update helpers, as a Zephyr app uses them: a buffered writer for the secondary slot
// (img_mgmt / flash_img: the whole slot erased sector by sector first, then 512-byte writes), and the bootutil requests boot_set_pending and
// boot_set_confirmed, which only ever touch trailer bytes.
import type { DeviceFlash } from '../../stack.ts';
import type { Layout } from './layout.ts';
import { Flag, SwapType, readSwapState, writeImageOk, writeMagic, writeSwapInfo } from './trailer.ts';

/** CONFIG_IMG_BLOCK_BUF_SIZE: the writer programs in blocks of this many bytes. */
const BLOCK = 512;

export class SecondaryWriter {
  private erased = new Set<number>();
  private buf: Uint8Array;
  private fill = 0;
  /** Bytes accepted so far (programmed or buffered). */
  written = 0;

  constructor(
    private readonly flash: DeviceFlash,
    private readonly layout: Layout,
  ) {
    this.buf = new Uint8Array(Math.ceil(BLOCK / layout.writeSize) * layout.writeSize);
  }

  /** Erase the whole slot, one sector at a time: no stale trailer or image bytes meet the new image. */
  async begin(): Promise<void> {
    const { secondary, sectorSize } = this.layout;
    for (let a = secondary.off; a < secondary.off + secondary.size; a += sectorSize) await this.ensureErased(a);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.written + chunk.length > this.layout.maxImageSize) {
      throw new Error(`image larger than the ${this.layout.maxImageSize}-byte slot`);
    }
    for (let o = 0; o < chunk.length; ) {
      const n = Math.min(chunk.length - o, this.buf.length - this.fill);
      this.buf.set(chunk.subarray(o, o + n), this.fill);
      this.fill += n;
      o += n;
      this.written += n;
      if (this.fill === this.buf.length) await this.flush();
    }
  }

  async finish(): Promise<void> {
    if (this.fill > 0) await this.flush();
  }

  private async flush(): Promise<void> {
    const len = Math.ceil(this.fill / this.layout.writeSize) * this.layout.writeSize;
    const data = this.buf.slice(0, len);
    data.fill(0xff, this.fill);
    const addr = this.layout.secondary.off + this.written - this.fill;
    for (let a = addr - (addr % this.layout.sectorSize); a < addr + len; a += this.layout.sectorSize) await this.ensureErased(a);
    await this.flash.program(addr, data);
    this.fill = 0;
  }

  private async ensureErased(addr: number): Promise<void> {
    const { sectorSize } = this.layout;
    const sector = Math.floor(addr / sectorSize);
    if (this.erased.has(sector)) return;
    await this.flash.erase(sector * sectorSize, sectorSize);
    this.erased.add(sector);
  }
}

export type RequestResult = 'written' | 'already' | 'bad-magic';

/** boot_set_pending: secondary magic, image_ok only when permanent, then swap_info. */
export async function setPending(flash: DeviceFlash, layout: Layout, permanent: boolean): Promise<RequestResult> {
  const area = layout.secondary;
  const st = readSwapState(flash, area);
  if (st.magic === 'good') return 'already';
  if (st.magic === 'bad') {
    // The slot is corrupt; bootutil erases it so a later upload can start clean.
    await flash.erase(area.off, area.size);
    return 'bad-magic';
  }
  await writeMagic(flash, layout, area);
  if (permanent) await writeImageOk(flash, layout, area);
  await writeSwapInfo(flash, layout, area, permanent ? SwapType.PERM : SwapType.TEST);
  return 'written';
}

/** boot_set_confirmed: image_ok on the primary, only if the trailer is good and it is unset. */
export async function setConfirmed(flash: DeviceFlash, layout: Layout): Promise<RequestResult> {
  const st = readSwapState(flash, layout.primary);
  if (st.magic === 'unset') return 'already'; // a programmer-flashed image needs no confirm
  if (st.magic === 'bad') return 'bad-magic';
  if (st.imageOk !== Flag.UNSET) return 'already';
  await writeImageOk(flash, layout, layout.primary);
  return 'written';
}
