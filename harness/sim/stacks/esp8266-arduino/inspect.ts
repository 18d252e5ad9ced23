// What esptool does (install: erase the chip, write the file at 0x0) and what reading the flash
// back says runs (inspect). RTC memory is not flash: a pending eboot command is invisible here.
import type { NorFlash } from '../../flash.ts';
import type { FlashVerdict } from '../../stack.ts';
import { FLASH_SIZE, SECTOR, WRITE_SIZE, roundUp } from './layout.ts';
import { EBOOT_SECTOR, runnableSketch } from './image.ts';

export function install(flash: NorFlash, image: Uint8Array): void {
  if (image.length > FLASH_SIZE) throw new Error(`esp8266-arduino install: ${image.length} bytes do not fit the ${FLASH_SIZE}-byte flash`);
  flash.erase(0, FLASH_SIZE);
  const padded = new Uint8Array(roundUp(image.length, WRITE_SIZE)).fill(0xff);
  padded.set(image);
  flash.program(0, padded);
}

export function inspect(flash: NorFlash): FlashVerdict {
  const eboot = Buffer.from(flash.read(0, SECTOR)).equals(EBOOT_SECTOR) ? 'eboot ok' : 'eboot sector differs from the build';
  const r = runnableSketch(flash);
  if (!r.ok) return { slot: 'none', version: null, detail: `${eboot}; sketch: ${r.reason}` };
  return { slot: 'sketch', version: r.info.version, detail: `${eboot}; sketch ${r.info.version} (boot=${r.info.boot}), ${r.end} bytes, one consistent build` };
}
