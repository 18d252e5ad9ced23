// The simulated Mongoose OS ESP8266 board: ROM loader, Cesanta's patched rBoot, then the same
// Mongoose OS app core as the ESP32 board (../mongoose-os), with boot control in rboot_config.
import { bootOnFirstUse, type SimStack, type ImageBuild } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { buildFirmware } from '../mongoose-os/firmware.ts';
import { APP_MUTANTS, mutationFor } from '../mongoose-os/mutants.ts';
import { rbootLayout } from './layout.ts';
import { installRboot, inspectRboot } from './inspect.ts';

export const RBOOT_MUTANTS = {
  ...APP_MUTANTS,
  'attempts-not-persisted': 'rBoot counts the unconfirmed boot but never writes boot_attempts back, so it never falls back',
  'fallback-on-first-boot': 'rBoot falls back on the first unconfirmed boot: a new image never gets its trial',
} as const satisfies Record<string, string>;

export const rbootStack: SimStack = {
  name: 'rboot',
  mutants: { ...RBOOT_MUTANTS },
  flashGeometry(config: SimConfig) {
    mutationFor('rboot', RBOOT_MUTANTS, config); // a typo fails when the board is built
    const l = rbootLayout(config);
    return { size: l.flashSize, sectorSize: l.sectorSize, writeSize: l.writeSize };
  },
  buildImage(build: ImageBuild, config: SimConfig) {
    const l = rbootLayout(config);
    return buildFirmware('esp8266', build, { app: l.slots[0]!.app.size, fs: l.slots[0]!.fs.size, writeSize: l.writeSize });
  },
  install: installRboot,
  inspect: inspectRboot,
  ...bootOnFirstUse(() => import('./boot.ts')),
};
