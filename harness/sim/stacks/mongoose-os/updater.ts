// The Mongoose OS updater core (mgos_updater_common): a fw.zip streams in, its manifest names the
// parts, each part goes to the inactive slot's app or filesystem area and must match its SHA-1;
// only when everything is written and verified does the port arm the trial. updater.dat in the
// new filesystem carries the commit timeout to the first boot. This is the UpdateSink that
// console RPC and HTTP push feed, and what OTA.Update {url} feeds after its download.
import { createHash, type Hash } from 'node:crypto';
import type { DeviceContext } from '../../stack.ts';
import type { UpdateSink } from '../../update-sink.ts';
import { reboot, type MosLog, type MosPlatform, type BootInfo, type Slot } from './platform.ts';
import { ZipReader, type ZipSink } from './fwzip.ts';
import { MosFs } from './fs.ts';
import { checkAppImage } from './app-image.ts';
import type { Manifest, Part } from './firmware.ts';

export class UpdateError extends Error {}

/** A push that names no commit timeout gets Mongoose OS's default: 0, commit on the first boot. */
export const DEFAULT_COMMIT_TIMEOUT = 0;
const BLOCK = 512;
/** Where the updater core logs from (line numbers are cosmetic). */
const CORE = 'mgos_updater_common.c';
const PROGRESS_STEP = 16384;

export type UpdateState = 'idle' | 'progress' | 'error' | 'success';

export class MosUpdater implements UpdateSink {
  private job: Job | null = null;
  state: UpdateState = 'idle';
  /** The running image is committed (false during a trial). */
  committed: boolean;
  /** The armed commit watchdog, in seconds (0: none). */
  commitTimeout = 0;

  constructor(
    private readonly ctx: DeviceContext,
    private readonly plat: MosPlatform,
    private readonly info: BootInfo,
    private readonly log: MosLog,
  ) {
    this.committed = !info.firstBoot;
  }

  async begin(size: number, meta?: { md5?: string; filename?: string; commitTimeout?: number }): Promise<void> {
    await this.start(size, meta?.commitTimeout ?? DEFAULT_COMMIT_TIMEOUT);
  }

  /** OTA.Update {url, commit_timeout}: the same as a push, with the caller's commit timeout. */
  async beginUrl(size: number, commitTimeout: number): Promise<void> {
    await this.start(size, commitTimeout);
  }

  private async start(size: number, commitTimeout: number): Promise<void> {
    if (this.job) throw new UpdateError('Update already in progress');
    if (!this.committed) throw new UpdateError('Previous update has not been committed yet');
    const target = this.plat.slots.findIndex((_, i) => i !== this.info.running);
    this.job = new Job(this.ctx, this.plat, target, Math.max(0, commitTimeout), this.log);
    this.state = 'progress';
    this.log(`${CORE}:310`, `Update started: ${size} bytes to slot ${target}, commit timeout ${commitTimeout}`);
    await Promise.resolve();
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    const job = this.requireJob();
    if (offset !== job.reader.received) throw new UpdateError(`offset ${offset}, expected ${job.reader.received}`);
    await job.guard(() => job.reader.push(data));
  }

  async end(): Promise<void> {
    const job = this.requireJob();
    await job.guard(() => job.finish());
    this.job = null;
    this.state = 'success';
    this.log(`${CORE}:745`, 'Update finished, result 1 (Success)');
  }

  async abort(reason: string): Promise<void> {
    if (!this.job) return;
    this.job = null;
    this.state = 'error';
    this.log(`${CORE}:745`, `Update finished, result -1 (${reason})`);
    await Promise.resolve();
  }

  async activate(): Promise<void> {
    this.log('mgos_system.c:61', 'Rebooting in 100 ms');
    await this.ctx.sleep(100);
    reboot(this.ctx, 'update applied');
  }

  async commit(): Promise<void> {
    if (this.committed) return;
    await this.plat.commit(this.log);
    this.committed = true;
    this.commitTimeout = 0;
  }

  async revert(): Promise<void> {
    if (this.committed) throw new UpdateError('Nothing to revert: the running firmware is committed');
    await this.plat.revert(this.log);
    this.log('mgos_system.c:61', 'Rebooting in 100 ms');
    await this.ctx.sleep(100);
    reboot(this.ctx, 'revert');
  }

  bootState(): Record<string, unknown> {
    return {
      active_slot: this.info.running,
      is_committed: this.committed,
      revert_slot: this.info.revertSlot,
      commit_timeout: this.commitTimeout,
    };
  }

  private requireJob(): Job {
    if (!this.job) throw new UpdateError('No update in progress');
    return this.job;
  }
}

/** One update: the parts of one fw.zip going into one slot. */
class Job implements ZipSink {
  readonly reader = new ZipReader(this);
  private manifest: Manifest | null = null;
  private manifestBytes: Uint8Array[] = [];
  private part: { part: Part; addr: number; sha: Hash; written: number; buf: Uint8Array; fill: number } | null = null;
  private done = new Set<Part['type']>();
  private readonly slot: Slot;
  private nextReport = PROGRESS_STEP;
  private failed: Error | null = null;

  constructor(
    private readonly ctx: DeviceContext,
    private readonly plat: MosPlatform,
    private readonly target: number,
    private readonly commitTimeout: number,
    private readonly log: MosLog,
  ) {
    this.slot = plat.slots[target]!;
  }

  /** A failed job stays failed: later writes get the first reason. */
  async guard(step: () => Promise<void>): Promise<void> {
    if (this.failed) throw this.failed;
    try {
      await step();
    } catch (e) {
      if (this.ctx.signal.aborted) throw e;
      this.failed = e instanceof Error ? e : new Error(String(e));
      throw this.failed;
    }
  }

  async entryStart(name: string, size: number): Promise<void> {
    if (name === 'manifest.json') return;
    const m = this.manifest;
    if (!m) throw new UpdateError('Invalid manifest: it must be the first file of the bundle');
    const part = Object.values(m.parts).find((p) => p.src === name);
    if (!part) return; // parts this port does not use (boot loader, boot config) are skipped
    if (part.size !== size) throw new UpdateError(`${name}: size ${size} differs from the manifest's ${part.size}`);
    const area = part.type === 'app' ? this.slot.app : this.slot.fs;
    if (size > area.size) throw new UpdateError(`${name}: ${size} bytes do not fit the ${area.size}-byte area`);
    this.log(`${CORE}:433`, `Start writing ${name} (${size}) @ 0x${area.off.toString(16)}`);
    // The whole fs area: stale records of an older filesystem must not read as files.
    const span = part.type === 'fs' ? area.size : Math.ceil(size / this.plat.sectorSize) * this.plat.sectorSize;
    for (let a = area.off; a < area.off + span; a += this.plat.sectorSize) await this.ctx.flash.erase(a, this.plat.sectorSize);
    const buf = new Uint8Array(Math.ceil(BLOCK / this.plat.writeSize) * this.plat.writeSize);
    this.part = { part, addr: area.off, sha: createHash('sha1'), written: 0, buf, fill: 0 };
  }

  async entryData(data: Uint8Array): Promise<void> {
    if (!this.part) {
      if (!this.manifest) this.manifestBytes.push(data.slice());
      return;
    }
    const p = this.part;
    p.sha.update(data);
    for (let o = 0; o < data.length; ) {
      const n = Math.min(data.length - o, p.buf.length - p.fill);
      p.buf.set(data.subarray(o, o + n), p.fill);
      p.fill += n;
      o += n;
      if (p.fill === p.buf.length) await this.flush();
    }
    if (this.reader.received >= this.nextReport) {
      this.log(`${CORE}:470`, `${p.part.src}: ${p.written + p.fill} of ${p.part.size}`);
      while (this.nextReport <= this.reader.received) this.nextReport += PROGRESS_STEP;
    }
  }

  async entryEnd(name: string): Promise<void> {
    if (name === 'manifest.json') {
      this.manifest = parseManifest(Buffer.concat(this.manifestBytes), this.plat.chip);
      this.log(`${CORE}:380`, `FW: ${this.manifest.name} ${this.manifest.platform} ${this.manifest.version} ${this.manifest.build_id}`);
      return;
    }
    const p = this.part;
    if (!p) return;
    if (p.fill) await this.flush();
    this.part = null;
    if (p.sha.digest('hex') !== p.part.cs_sha1.toLowerCase()) throw new UpdateError(`Invalid checksum: ${name}`);
    this.done.add(p.part.type);
  }

  async finish(): Promise<void> {
    if (!this.reader.complete) throw new UpdateError(`Premature end of the bundle after ${this.reader.received} bytes`);
    if (!this.done.has('app') || !this.done.has('fs')) throw new UpdateError('The bundle lacks an app or fs part');
    const check = checkAppImage(this.ctx.flash, this.slot.app.off, this.slot.app.size, this.plat.chip);
    if (!check.ok) throw new UpdateError(`Invalid app image: ${check.reason}`);
    await new MosFs(this.ctx.flash, this.slot.fs, this.plat.writeSize).put(
      'updater.dat',
      Buffer.from(JSON.stringify({ commit_timeout: this.commitTimeout })),
    );
    await this.plat.setTrial(this.target, this.log);
  }

  private async flush(): Promise<void> {
    const p = this.part!;
    const len = Math.ceil(p.fill / this.plat.writeSize) * this.plat.writeSize;
    const data = p.buf.slice(0, len);
    data.fill(0xff, p.fill);
    await this.ctx.flash.program(p.addr + p.written, data);
    p.written += p.fill;
    p.fill = 0;
  }
}

function parseManifest(bytes: Uint8Array, chip: MosPlatform['chip']): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(Buffer.from(bytes).toString('utf8')) as Manifest;
  } catch {
    throw new UpdateError('Invalid manifest: not JSON');
  }
  if (typeof m !== 'object' || !m || typeof m.parts !== 'object' || !m.parts) throw new UpdateError('Invalid manifest: no parts');
  if (m.platform !== chip) throw new UpdateError(`Wrong platform: ${m.platform}, this is ${chip}`);
  return m;
}
