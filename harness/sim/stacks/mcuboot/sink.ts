// The app's UpdateSink for pushed transports (mcumgr SMP on the console): upload into the
// secondary slot as Zephyr's img_mgmt does, report slots as `image list` does, and turn
// `image test` / `image confirm` into boot_set_pending / boot_set_confirmed.
import { createHash } from 'node:crypto';
import type { DeviceContext } from '../../stack.ts';
import type { SlotState, UpdateSink } from '../../update-sink.ts';
import type { Layout } from './layout.ts';
import { checkImage, type ImageHeader } from './image.ts';
import { SwapType, readSwapState, swapTypeFromTable, swapTypeName } from './trailer.ts';
import { SecondaryWriter, setConfirmed, setPending } from './dfu.ts';
import { zephyrLog, type ZephyrLog } from './zephyr-log.ts';

/** img_mgmt's version string: major.minor.revision, plus .build when it is not 0. */
const mcumgrVersion = (h: ImageHeader): string =>
  `${h.version.major}.${h.version.minor}.${h.version.revision}${h.version.build ? `.${h.version.build}` : ''}`;

/** The SHA256 TLV of a slot's image: what mcumgr calls the image hash. */
function slotHash(ctx: DeviceContext, layout: Layout, off: number): { header: ImageHeader; hash: Uint8Array } | null {
  const check = checkImage(ctx.flash, off, layout.maxImageSize, { hash: false });
  if (!check.ok) return null;
  const tlv = off + check.header.hdrSize + check.header.imgSize + check.header.protectTlvSize;
  return { header: check.header, hash: ctx.flash.read(tlv + 8, 32) };
}

export function mcubootSink(ctx: DeviceContext, layout: Layout, log: ZephyrLog = zephyrLog(ctx)): UpdateSink {
  let writer: SecondaryWriter | null = null;
  let expected: { size: number; sha256?: Uint8Array } | null = null;
  let complete = false;

  /** `image confirm`: boot_set_confirmed on the running image, logged as the shell command does. */
  const confirm = async (): Promise<void> => {
    const rc = await setConfirmed(ctx.flash, layout);
    if (rc === 'bad-magic') throw new Error('primary trailer magic is bad');
    log('inf', 'app', rc === 'written' ? 'Image confirmed' : 'Image already confirmed');
  };

  const slots = (): SlotState[] => {
    const type = swapTypeFromTable(readSwapState(ctx.flash, layout.primary), readSwapState(ctx.flash, layout.secondary));
    const out: SlotState[] = [];
    for (const [slot, off] of [
      [0, layout.primary.off],
      [1, layout.secondary.off],
    ] as const) {
      const img = slotHash(ctx, layout, off);
      if (!img) continue;
      const active = slot === 0;
      // img_mgmt's flags: the running image is confirmed unless a revert is due; the other one is
      // pending after a request, and confirmed when a revert will bring it back.
      out.push({
        image: 0,
        slot,
        version: mcumgrVersion(img.header),
        hash: img.hash,
        bootable: true,
        pending: !active && (type === SwapType.TEST || type === SwapType.PERM),
        confirmed: active ? type !== SwapType.REVERT : type === SwapType.REVERT,
        active,
        permanent: !active && type === SwapType.PERM,
      });
    }
    return out;
  };

  return {
    async begin(size, meta) {
      if (size > layout.maxImageSize) throw new Error(`image of ${size} bytes does not fit the ${layout.maxImageSize}-byte slot`);
      writer = new SecondaryWriter(ctx.flash, layout);
      expected = { size, sha256: meta?.sha256 };
      complete = false;
      log('inf', 'mcumgr_img_grp', `Erasing secondary slot trailer, receiving ${size} bytes`);
      await writer.begin();
    },
    async write(offset, data) {
      if (!writer) throw new Error('no upload in progress');
      if (offset !== writer.written) throw new Error(`write at ${offset}, expected ${writer.written}`);
      await writer.write(data);
    },
    async end() {
      if (!writer || !expected) throw new Error('no upload in progress');
      await writer.finish();
      const { size, sha256 } = expected;
      writer = null;
      if (sha256) {
        const got = createHash('sha256').update(ctx.flash.read(layout.secondary.off, size)).digest();
        if (!got.equals(Buffer.from(sha256))) throw new Error('uploaded image does not match its SHA256');
      }
      if (!slotHash(ctx, layout, layout.secondary.off)) throw new Error('not an MCUboot image');
      complete = true;
      log('inf', 'mcumgr_img_grp', `Upload complete: ${size} bytes in the secondary slot`);
    },
    abort(reason) {
      writer = null;
      log('err', 'mcumgr_img_grp', `Upload aborted: ${reason}`);
      return Promise.resolve();
    },
    async activate() {
      if (!complete) throw new Error('no complete upload to activate');
      await setPending(ctx.flash, layout, false);
      log('inf', 'app', 'Test upgrade requested, rebooting');
      ctx.reset('sys_reboot');
    },
    commit: confirm,
    slots,
    async request(hash, permanent) {
      const target = slots().find((s) => Buffer.from(s.hash).equals(Buffer.from(hash)));
      if (!target) throw new Error('no image with that hash');
      if (target.active) {
        if (!permanent) throw new Error('the running image cannot be tested');
        return confirm();
      }
      const rc = await setPending(ctx.flash, layout, permanent);
      if (rc === 'bad-magic') throw new Error('secondary trailer is corrupt; slot erased');
      log('inf', 'mcumgr_img_grp', `Image in the secondary slot marked for ${permanent ? 'permanent' : 'test'} upgrade`);
    },
    bootState() {
      const primary = readSwapState(ctx.flash, layout.primary);
      const secondary = readSwapState(ctx.flash, layout.secondary);
      return { swapType: swapTypeName(swapTypeFromTable(primary, secondary)), primary, secondary };
    },
  };
}
