// What scenarios import (the package's main export, `ota-hil`): the test with its board fixtures
// and matchers, fault plans, and what each stack promises.
export { test, expect } from './fixtures/test.ts';
export type { BoardOptions } from './fixtures/test.ts';
export { promisesOf } from './fixtures/promises.ts';
export type { StackPromises, Outcome } from './fixtures/promises.ts';
export { runPlan, type PlanResult } from './faults/run-plan.ts';
export { describePlan, validatePlan, type FaultPlan, type Cut, type NetworkFaults } from './faults/plan.ts';
export type { Board } from './fixtures/board.ts';
export type { FirmwareImage } from './fixtures/images.ts';
export type { Boot, BootEvent } from './bootlog/boot.ts';
