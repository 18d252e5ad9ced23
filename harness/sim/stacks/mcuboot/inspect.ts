// What a programmer does (install) and what a debugger would read back (inspect), straight on the
// raw flash. inspect is the simulator's ground truth for cross-checking console verdicts, so it
// always checks the hash, whatever bug a mutant seeds into the bootloader.
import type { NorFlash } from '../../flash.ts';
import type { FlashVerdict } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { layoutFor } from './layout.ts';
import { checkImage, formatVersion, readAppInfo } from './image.ts';
import { formatSwapState, readSwapState } from './trailer.ts';

/** Erase both slots and scratch, program the image at the primary slot; trailers stay erased. */
export function install(flash: NorFlash, image: Uint8Array, config: SimConfig): void {
  const layout = layoutFor(config);
  if (image.length > layout.maxImageSize) {
    throw new Error(`mcuboot install: ${image.length}-byte image does not fit the ${layout.maxImageSize} bytes before the trailer`);
  }
  for (const area of [layout.primary, layout.secondary, layout.scratch]) if (area) flash.erase(area.off, area.size);
  const len = Math.ceil(image.length / layout.writeSize) * layout.writeSize;
  const padded = new Uint8Array(len).fill(0xff);
  padded.set(image);
  flash.program(layout.primary.off, padded);
}

export function inspect(flash: NorFlash, config: SimConfig): FlashVerdict {
  const layout = layoutFor(config);
  const check = checkImage(flash, layout.primary.off, layout.maxImageSize);
  const trailer = formatSwapState('trailer', readSwapState(flash, layout.primary));
  const secondary = checkImage(flash, layout.secondary.off, layout.maxImageSize);
  const sec = secondary.ok
    ? `secondary v${formatVersion(secondary.header.version)} hash ok`
    : `secondary ${secondary.erased ? 'empty' : secondary.reason}`;
  if (!check.ok) {
    const what = check.erased ? 'primary empty' : `primary ${check.header ? `v${formatVersion(check.header.version)} ` : ''}${check.reason}`;
    return { slot: 'none', version: null, detail: `${what}; ${trailer}; ${sec}` };
  }
  const app = readAppInfo(flash, layout.primary.off, layout.maxImageSize);
  const headerVersion = formatVersion(check.header.version);
  const version = app?.version ?? headerVersion;
  const behaviour = app ? `boot=${app.boot} confirm=${app.confirm}` : 'body not a simulated app';
  return {
    slot: 'primary',
    version,
    detail: `primary v${headerVersion} (${version}) hash ok, ${behaviour}; ${trailer}; ${sec}`,
  };
}
