// The core's Updater (cores/esp8266/Updater.cpp) as the sketch uses it: stage the image right
// below the filesystem, erasing each sector as the write reaches it; at the end check the MD5 (when
// the transport gave one) and the signature, then leave eboot a COPY_RAW command in RTC memory.
// Nothing outside the staging area changes until ESP.restart().
import { createHash, type Hash } from 'node:crypto';
import type { DeviceContext } from '../../stack.ts';
import { APP_START, FLASH_SIZE, FLASH_SIZE_CODE, FS_START, SECTOR, WRITE_SIZE, roundUp } from './layout.ts';
import { ESP_MAGIC, walkImage } from './image.ts';
import { SIGNATURE_LEN, signedBuild, verifySignature } from './signing.ts';
import { ACTION_COPY_RAW, writeCommand } from './rtc.ts';
import type { Mutation } from './mutants.ts';

/** ESP.getSketchSize(): eboot's sector plus the sketch image, by walking its header. */
export function sketchSize(flash: { read(addr: number, len: number): Uint8Array }): number {
  return walkImage(flash, APP_START)?.end ?? APP_START;
}

/** ESP.getFreeSketchSpace(): what lies between the running sketch and the filesystem. */
export function freeSketchSpace(flash: { read(addr: number, len: number): Uint8Array }): number {
  return FS_START - roundUp(sketchSize(flash), SECTOR);
}

export class Updater {
  error: string | null = null;
  private start = 0;
  private size = 0;
  private progress = 0;
  private addr = 0;
  private buf = new Uint8Array(SECTOR);
  private fill = 0;
  private md5: Hash | null = null;
  private targetMd5: string | null = null;
  private running = false;

  constructor(
    private readonly ctx: DeviceContext,
    private readonly mut: Mutation,
  ) {}

  get written(): number {
    return this.progress;
  }

  get isRunning(): boolean {
    return this.running;
  }

  begin(size: number, md5?: string): boolean {
    this.reset();
    if (size <= 0) return this.fail('Bad Size Given');
    const used = roundUp(sketchSize(this.ctx.flash), SECTOR);
    const start = FS_START - roundUp(size, SECTOR);
    if (start < used) return this.fail('Not Enough Space');
    this.start = this.addr = start;
    this.size = size;
    this.md5 = createHash('md5');
    this.targetMd5 = md5 && /^[0-9a-f]{32}$/i.test(md5) ? md5.toLowerCase() : null;
    this.running = true;
    return true;
  }

  async write(data: Uint8Array): Promise<boolean> {
    if (!this.running) return this.fail('Not running');
    if (this.progress + data.length > this.size) return this.fail('Bad Size Given');
    for (let o = 0; o < data.length; ) {
      const n = Math.min(data.length - o, SECTOR - this.fill);
      this.buf.set(data.subarray(o, o + n), this.fill);
      this.md5!.update(data.subarray(o, o + n));
      this.fill += n;
      o += n;
      this.progress += n;
      if (this.fill === SECTOR && !(await this.flush())) return false;
    }
    return true;
  }

  /** Verify and hand the image to eboot; false with `error` set when refused. */
  async end(): Promise<boolean> {
    if (!this.running) return this.fail('Not running');
    if (this.progress !== this.size) return this.fail(`premature end: ${this.progress}/${this.size} bytes`);
    if (this.fill > 0 && !(await this.flush())) return false;
    this.running = false;
    const head = this.ctx.flash.read(this.start, 4);
    if (head[0] !== ESP_MAGIC) return this.fail('Magic byte is wrong, not 0xE9');
    const actual = this.md5!.digest('hex');
    if (this.targetMd5 && actual !== this.targetMd5 && !this.mut.has('no-md5-check')) {
      return this.fail(`MD5 Failed: expected:${this.targetMd5}, calculated:${actual}`);
    }
    let binSize = this.size;
    if (signedBuild(this.ctx.config) && !this.mut.has('no-signature-check')) {
      const sigLen = new DataView(this.ctx.flash.read(this.start + this.size - 4, 4).buffer).getUint32(0, true);
      if (sigLen !== SIGNATURE_LEN || this.size < sigLen + 4 + SECTOR) return this.fail('Signature verification failed');
      binSize = this.size - sigLen - 4;
      const sig = this.ctx.flash.read(this.start + binSize, sigLen);
      await this.ctx.sleep(binSize / 1000); // SHA-256 over the staged image
      if (!verifySignature(this.ctx.flash.read(this.start, binSize), sig)) return this.fail('Signature verification failed');
    }
    writeCommand(this.ctx, { action: ACTION_COPY_RAW, args: [this.start, 0, binSize] });
    return true;
  }

  /** Drop a half-received image: the staging area keeps its partial bytes, nothing else changed. */
  reset(): void {
    this.running = false;
    this.error = null;
    this.progress = this.fill = this.size = 0;
    this.md5 = null;
  }

  private async flush(): Promise<boolean> {
    if (this.addr === this.start) {
      // _verifyHeader on the first block: the image must be an ESP8266 image for this flash size.
      if (this.buf[0] !== ESP_MAGIC) return this.fail('Magic byte is wrong, not 0xE9');
      const code = (this.buf[3]! >> 4) & 0xf;
      if (code !== FLASH_SIZE_CODE) return this.fail(`Flash config wrong real: ${FLASH_SIZE} IDE: code ${code}`);
    }
    const len = roundUp(this.fill, WRITE_SIZE);
    const data = this.buf.slice(0, len);
    data.fill(0xff, this.fill);
    await this.ctx.flash.erase(this.addr, SECTOR);
    await this.ctx.flash.program(this.addr, data);
    this.addr += SECTOR;
    this.fill = 0;
    return true;
  }

  private fail(message: string): false {
    this.error = message;
    this.running = false;
    return false;
  }
}
