// `ota-hil/kinds`: what a user's own power driver, OTA transport, installer or commit method
// imports. defineKind and TypeBox's Type (so a kind file needs no TypeBox dependency of its own),
// the interface each category builds with the context its factory gets, and the errors to throw.
// Registered from the user's config: otaHilConfig({ kinds: { power: [myPdu] } }) (docs/extending.md).
export { Type, type Static } from './typebox.ts';
export { defineKind, type KindDef } from './rig/kind.ts';
export type { UserKinds } from './rig/extend.ts';
export { PowerError, type PowerSwitch, type PowerContext, type PowerState } from './power/power-switch.ts';
export type { SimSupply } from './power/sim.ts';
export { OtaError, type OtaTransport, type TransportContext, type OtaDelivery, type OtaProgress, type OtaPhase, type HoldPoint } from './ota/transport.ts';
export { ByteDelivery } from './ota/delivery.ts';
export type { Installer } from './install/installer.ts';
export type { InstallContext } from './install/registry.ts';
export type { CommitMethod, CommitContext, CommitIo } from './commit/method.ts';
export { TimeoutError, withTimeout } from './power/timeout.ts';
export type { FirmwareImage } from './fixtures/images.ts';
export type { Console } from './console/console.ts';
