// The rig file schema. Every TypeScript type for rig data is derived from here (Static<>),
// never written twice. Every object is closed (additionalProperties: false) so a typo in a rig
// file is an error, not a silently ignored field.
// The kinds of power, transport, install and commit are declared by their own modules and
// gathered by a registry per category (harness/rig/kind.ts): the unions here are built from them.
import { Type, type Static, type TSchema } from '../typebox.ts';
import { closed, Name, Ms, PortRef } from './schema-parts.ts';
import { PowerUnion, powerKinds } from '../power/registry.ts';
import { TransportUnion, transportKinds } from '../ota/registry.ts';
import { InstallUnion, installKinds } from '../install/registry.ts';
import { CommitUnion, commitKinds } from '../commit/registry.ts';
import { StackName } from './stack-name.ts';

export { PortRef };
export { StackName, STACK_NAMES, isStackName } from './stack-name.ts';
export { HttpFaults } from '../ota/image-server.ts';

export type PortRef = Static<typeof PortRef>;

export const ConsoleConfig = closed({
  port: PortRef,
  baud: Type.Optional(Type.Integer({ minimum: 50, default: 115200 })),
  lineEnding: Type.Optional(Type.Union([Type.Literal('\n'), Type.Literal('\r\n'), Type.Literal('\r')])),
  encoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('latin1')])),
});
export type ConsoleConfig = Static<typeof ConsoleConfig>;

export const PowerConfig = PowerUnion;
export type PowerConfig = Static<typeof PowerConfig>;


/** The MQTT broker cloud-style transports meet the boards at. */
export const MqttConfig = closed(
  {
    url: Type.Optional(Type.String({ pattern: '^mqtts?://', description: "the lab's broker, e.g. mqtt://10.0.0.5:1883 (mosquitto); without it the harness runs an embedded broker for the run" })),
    host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'embedded broker: the address it binds (loopback unless the boards are elsewhere)' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'embedded broker: the port (default: a free one)' })),
    username: Type.Optional(Type.String({ description: 'MQTT user name, for the boards and the harness alike; the embedded broker then requires it' })),
    password: Type.Optional(Type.String()),
  },
  { description: 'MQTT broker for mqtt-shadow and mqtt-rpc transports' },
);
export type MqttConfig = Static<typeof MqttConfig>;

/**
 * What a board's firmware is configured with to reach its cloud (Mongoose OS mqtt.server and
 * device.id, an ota-http-client poll URL): in a real board's own config; a simulated board is built
 * with it, from its cloud transport (OtaTransport.provision). Not a rig field.
 */
export const DeviceCloud = closed({
  deviceId: Type.String({ description: 'device.id: the MQTT client id and the topics\' device part' }),
  mqtt: Type.Optional(
    closed({
      url: Type.String(),
      username: Type.Optional(Type.String()),
      password: Type.Optional(Type.String()),
      shadow: Type.Optional(Type.Boolean({ description: 'follow the device shadow: desired.ota → pull the image over HTTP → report' })),
      rpc: Type.Optional(Type.Boolean({ description: 'serve Mongoose OS RPC over MQTT (<device.id>/rpc)' })),
    }),
  ),
  poll: Type.Optional(closed({ url: Type.String(), intervalS: Type.Number({ description: 'simulated seconds between checks' }) })),
});
export type DeviceCloud = Static<typeof DeviceCloud>;


export const TransportConfig = TransportUnion;
export type TransportConfig = Static<typeof TransportConfig>;

export const InstallConfig = InstallUnion;
export type InstallConfig = Static<typeof InstallConfig>;

export const CommitConfig = CommitUnion;
export type CommitConfig = Static<typeof CommitConfig>;

/** What the simulated firmware does; chosen when the test image is built. */
export const SimBehaviour = closed({
  boot: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('crash'), Type.Literal('hang')], { default: 'ok' })),
  confirm: Type.Optional(Type.Union([Type.Literal('self'), Type.Literal('wait')], { default: 'wait' })),
  size: Type.Optional(Type.Integer({ minimum: 256, description: 'image body size in bytes' })),
  files: Type.Optional(
    Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String(), {
      description: 'filesystem files the image ships, name → text (stacks with a filesystem per slot, e.g. Mongoose OS)',
    }),
  ),
});
export type SimBehaviour = Static<typeof SimBehaviour>;

export const ImageSpec = closed({
  version: Type.String({ minLength: 1 }),
  file: Type.Optional(Type.String({ description: 'path relative to the rig file' })),
  sim: Type.Optional(SimBehaviour),
});
export type ImageSpec = Static<typeof ImageSpec>;

/** What a simulated board's console looks like, per stack (the simulator prints it; parsers only read it). */
export const SimLogFormat = Type.Union(
  [
    Type.Literal('zephyr-minimal'),
    Type.Literal('zephyr-full'),
    Type.Literal('rtt'),
    Type.Literal('esp-idf-colour'),
    Type.Literal('esp-idf-plain'),
    Type.Literal('esp-idf-silent'),
  ],
  { description: "mcuboot: zephyr-minimal (default), zephyr-full (timestamps, module tags), rtt (a J-Link RTT capture); esp-idf: esp-idf-colour, esp-idf-plain (default), esp-idf-silent (a bootloader built silent)" },
);
export type SimLogFormat = Static<typeof SimLogFormat>;

export const SimConfig = closed({
  logFormat: Type.Optional(SimLogFormat),
  timeScale: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 20, description: 'simulated seconds per wall second' })),
  seed: Type.Optional(Type.Integer({ default: 1 })),
  slotSize: Type.Optional(Type.Integer({ minimum: 4096 })),
  sectorSize: Type.Optional(Type.Integer({ minimum: 256 })),
  writeSize: Type.Optional(Type.Integer({ minimum: 1 })),
  swap: Type.Optional(Type.Union([Type.Literal('scratch'), Type.Literal('move')])),
  primarySlotSize: Type.Optional(
    Type.Integer({ minimum: 4096, description: 'mcuboot: primary slot size (default: slotSize; swap-move: slotSize plus one sector, the layout MCUboot calls optimal; equal slots are allowed too)' }),
  ),
  imageHeaderSize: Type.Optional(Type.Integer({ minimum: 32, default: 512, description: 'mcuboot: ih_hdr_size of the images the simulator builds (imgtool --header-size; Zephyr pads to 0x200)' })),
  copyChunk: Type.Optional(Type.Integer({ minimum: 8, default: 1024, description: "mcuboot: bytes per flash write when the bootloader copies a sector (bootutil's 1 KiB copy buffer)" })),
  bootloaderVersion: Type.Optional(Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+', default: '2.1.0', description: 'mcuboot: the version its banner prints (*** Booting MCUboot vX ***)' })),
  mutant: Type.Optional(Type.String({ description: 'a seeded bootloader bug, to prove scenarios catch it' })),
  uart: Type.Optional(
    Type.Union([Type.Literal('in-process'), Type.Literal('pty')], {
      default: 'in-process',
      description:
        "in-process: a serialport binding straight onto the simulated UART; pty: a pseudo-terminal (a small python3 relay) behind a by-id style link that vanishes while the board is off (a USB-serial adapter the board powers), opened with serialport's native binding",
    }),
  ),
});
export type SimConfig = Static<typeof SimConfig>;

/**
 * How the board's firmware was built, where that changes what the stack promises. A scenario
 * asks the promises, so a board built without rollback is held to what it can do, not failed for it.
 */
export const FirmwareConfig = closed(
  {
    rollback: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          'esp-idf: built with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE (the default here; ESP-IDF itself defaults to off). false: a new image runs as soon as it is set, needs no confirm, and nothing reverts it, so a crashing update boot-loops',
      }),
    ),
    signed: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          "esp8266-arduino: built with update signing (a public key in the sketch: the Updater verifies every image; the default here, not the core's). false: only the transfer's MD5 is checked, so an image that is corrupt at its source is installed",
      }),
    ),
  },
  { description: 'build options of the firmware under test that change what its update stack promises' },
);
export type FirmwareConfig = Static<typeof FirmwareConfig>;

/** The app's own announcements, read with the bootloader's lines (issue 11); regex strings. */
export const AppAnnouncements = closed(
  {
    version: Type.Optional(Type.String({ description: "regex of the app's version line; group 1 or the named group 'version' is the version" })),
    slot: Type.Optional(Type.String({ description: "regex of the app's running-slot line; group 1 or the named group 'slot' is the slot, as the stack names it" })),
    confirmed: Type.Optional(Type.String({ description: 'regex of the line that shows the app confirmed its image' })),
  },
  { description: 'how the application announces its version, running slot and confirmation on the console' },
);
export type AppAnnouncements = Static<typeof AppAnnouncements>;

export const BoardConfig = closed({
  name: Name,
  stack: StackName,
  tags: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_-]*$' }), Type.String(), { additionalProperties: false })),
  console: ConsoleConfig,
  power: PowerConfig,
  transport: TransportConfig,
  install: InstallConfig,
  commit: Type.Optional(CommitConfig),
  firmware: Type.Optional(FirmwareConfig),
  sim: Type.Optional(SimConfig),
  images: Type.Optional(Type.Record(Name, ImageSpec, { additionalProperties: false })),
  bootTimeoutMs: Type.Optional(Ms),
  app: Type.Optional(AppAnnouncements),
});
export type BoardConfig = Static<typeof BoardConfig>;

export const RigConfig = closed(
  {
    $schema: Type.Optional(Type.String()),
    name: Name,
    description: Type.Optional(Type.String()),
    boards: Type.Array(BoardConfig, { minItems: 1 }),
    images: Type.Record(Name, ImageSpec, { additionalProperties: false }),
    safeState: Type.Optional(Type.Union([Type.Literal('off'), Type.Literal('on')], { default: 'off' })),
    mqtt: Type.Optional(MqttConfig),
  },
  { title: 'ota-hil rig', description: 'Boards, how to reach them, and the firmware images under test' },
);
export type RigConfig = Static<typeof RigConfig>;

/**
 * The rig schema with every registered kind, a user's own included (harness/config.ts registers
 * them): what rig files are validated against and what `ota-hil rig schema` writes. The static
 * RigConfig above holds the project's kinds and gives the types.
 */
export function rigSchema(): TSchema {
  const kinds: readonly unknown[] = [powerKinds.kinds, transportKinds.kinds, installKinds.kinds, commitKinds.kinds].flat();
  if (cached?.kinds.length === kinds.length && cached.kinds.every((k, i) => k === kinds[i])) return cached.schema;
  const board = {
    ...BoardConfig,
    properties: {
      ...BoardConfig.properties,
      power: powerKinds.schema(),
      transport: transportKinds.schema(),
      install: installKinds.schema(),
      commit: Type.Optional(commitKinds.schema()),
    },
  };
  const schema: TSchema = { ...RigConfig, properties: { ...RigConfig.properties, boards: { ...RigConfig.properties.boards, items: board } } };
  cached = { kinds, schema };
  return schema;
}
/** Rebuilt only when the registered kinds changed (a CLI call's --kinds are forgotten after it). */
let cached: { kinds: readonly unknown[]; schema: TSchema } | undefined;

export function jsonSchema(): TSchema {
  return rigSchema();
}

