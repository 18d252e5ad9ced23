// What scenarios import.
export { test, expect } from './fixtures/test.ts';
export { promisesOf } from './fixtures/promises.ts';
export type { Board } from './fixtures/board.ts';
export type { FirmwareImage } from './fixtures/images.ts';
export type { Boot, BootEvent } from './bootlog/boot.ts';
