// The rig file schema. Every TypeScript type for rig data is derived from here (Static<>),
// never written twice. Every object is closed (additionalProperties: false) so a typo in a rig
// file is an error, not a silently ignored field.
import { Type, type Static, type TSchema, type TObject, type TProperties } from '@sinclair/typebox';

const closed = <T extends TProperties>(props: T, opts: { description?: string; title?: string } = {}): TObject<T> =>
  Type.Object(props, { additionalProperties: false, ...opts });

const Name = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'letters, digits, . _ -' });
const Argv = Type.Array(Type.String(), { minItems: 1, description: 'program and arguments, never a shell string' });
const Ms = Type.Integer({ minimum: 1 });

export const StackName = Type.Union(
  [
    Type.Literal('mcuboot'),
    Type.Literal('esp-idf'),
    Type.Literal('mongoose-os'),
    Type.Literal('rboot'),
    Type.Literal('esp8266-arduino'),
    Type.Literal('zerynth'),
    Type.Literal('particle'),
  ],
  { description: 'the update stack the board runs; chooses the boot-log parser and, for sim boards, the simulator' },
);
export type StackName = Static<typeof StackName>;

/** How to find a serial console. A stable identity survives re-enumeration after a power cut. */
export const PortRef = Type.Union([
  closed({ path: Type.String({ description: 'device path, e.g. /dev/ttyUSB0 (unstable across re-plugs)' }) }),
  closed({ byId: Type.String({ description: 'name under /dev/serial/by-id' }) }),
  closed({ byPath: Type.String({ description: 'name under /dev/serial/by-path' }) }),
  closed({
    usb: closed({
      vendorId: Type.String({ pattern: '^[0-9a-fA-F]{4}$' }),
      productId: Type.String({ pattern: '^[0-9a-fA-F]{4}$' }),
      serialNumber: Type.Optional(Type.String()),
      location: Type.Optional(Type.String()),
    }),
  }),
  closed({ sim: Type.Literal(true, { description: "sim boards only: the board's simulated UART; for a serial-relay, a simulated LCUS relay switching the board's supply" }) }),
]);
export type PortRef = Static<typeof PortRef>;

export const ConsoleConfig = closed({
  port: PortRef,
  baud: Type.Optional(Type.Integer({ minimum: 50, default: 115200 })),
  lineEnding: Type.Optional(Type.Union([Type.Literal('\n'), Type.Literal('\r\n'), Type.Literal('\r')])),
  encoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('latin1')])),
});
export type ConsoleConfig = Static<typeof ConsoleConfig>;

const Channel = Type.Integer({ minimum: 1, maximum: 8, description: 'relay channel, counted from 1 as printed on the board' });
const ToolTimeout = Type.Optional(Type.Integer({ minimum: 1, default: 10000, description: 'ms before one run of the tool is abandoned' }));

export const PowerConfig = Type.Union([
  closed({ kind: Type.Literal('sim') }, { description: "the simulated board's supply" }),
  closed({ kind: Type.Literal('manual'), prompt: Type.Optional(Type.String()) }),
  closed({
    kind: Type.Literal('command'),
    on: Argv,
    off: Argv,
    state: Type.Optional(Argv),
    onPattern: Type.Optional(Type.String({ description: 'regex the state command prints when on' })),
    timeoutMs: Type.Optional(Ms),
  }),
  closed(
    {
      kind: Type.Literal('hid-relay'),
      model: Type.Optional(
        Type.Union([Type.Literal('dcttech'), Type.Literal('lcus')], {
          default: 'dcttech',
          description: 'dcttech: 16c0:05df "USBRelayN" (ID and state readable); lcus: 5131:2007 LCUS HID (write-only, no ID)',
        }),
      ),
      serial: Type.Optional(Type.String({ description: 'dcttech relay ID (5 characters, as `usbrelay` prints it); needed when several relays are attached' })),
      channel: Channel,
    },
    { description: 'USB HID relay board driven directly over USB' },
  ),
  closed(
    {
      kind: Type.Literal('serial-relay'),
      port: PortRef,
      channel: Channel,
      baud: Type.Optional(Type.Integer({ minimum: 50, default: 9600 })),
    },
    { description: 'LCUS relay behind a CH340 USB-serial chip (frames A0 <channel> <0|1> <sum>)' },
  ),
  closed(
    {
      kind: Type.Literal('uhubctl'),
      location: Type.String({ pattern: '^[0-9]+(-[0-9]+(\\.[0-9]+)*)?$', description: 'hub location as uhubctl prints it, e.g. 1-1.4' }),
      port: Type.Integer({ minimum: 1, maximum: 31 }),
      repeat: Type.Optional(Type.Integer({ minimum: 1, description: 'uhubctl -r: repeat the power-off request (some hubs need it)' })),
      timeoutMs: ToolTimeout,
    },
    { description: 'per-port power switching on a smart USB hub, through uhubctl' },
  ),
  closed(
    {
      kind: Type.Literal('ykush'),
      model: Type.Optional(Type.Union([Type.Literal('ykush'), Type.Literal('ykush3'), Type.Literal('ykushxs')], { default: 'ykush' })),
      serial: Type.Optional(Type.String({ description: 'board serial as `ykushcmd -l` lists it' })),
      port: Type.Optional(Type.Integer({ minimum: 1, maximum: 3, description: 'downstream port (not used by the single-port ykushxs)' })),
      timeoutMs: ToolTimeout,
    },
    { description: 'Yepkit YKUSH switchable hub, through ykushcmd' },
  ),
  closed(
    {
      kind: Type.Literal('sispmctl'),
      outlet: Type.Integer({ minimum: 1, maximum: 4 }),
      serial: Type.Optional(Type.String({ description: 'sispmctl -D: the device serial, e.g. 01:01:56:a2:f1' })),
      device: Type.Optional(Type.Integer({ minimum: 0, description: 'sispmctl -d: device number in scan order' })),
      timeoutMs: ToolTimeout,
    },
    { description: 'Gembird SiS-PM / EG-PMS USB power strip, through sispmctl' },
  ),
  closed(
    {
      kind: Type.Literal('usbrelay'),
      serial: Type.String({ minLength: 1, description: 'relay ID as `usbrelay` lists it (the part before _N=)' }),
      channel: Channel,
      timeoutMs: ToolTimeout,
    },
    { description: 'USB HID relay through the usbrelay tool' },
  ),
]);
export type PowerConfig = Static<typeof PowerConfig>;

const Trigger = closed({
  consoleCommand: Type.String({ description: 'typed on the console to start the update; {url} is replaced' }),
});

const StepTimeout = Type.Optional(Type.Integer({ minimum: 1, description: 'ms before a step of the transfer (a request, an ack, the whole delivery) is abandoned' }));
const DeviceAddress = Type.Optional(
  Type.String({ pattern: '^[^\\s:]+(:[0-9]{1,5})?$|^\\[[0-9a-fA-F:.]+\\](:[0-9]{1,5})?$', description: "the board's address, host or host:port; without it the address is learned from a console line (addressFrom)" }),
);
const AddressFrom = Type.Optional(
  Type.String({ description: 'regex with named groups host and (optionally) port, matched against console lines to learn the address the board prints' }),
);

/** Faults the harness-hosted image server injects into the body it serves. */
export const HttpFaults = closed(
  {
    stallAtByte: Type.Optional(Type.Integer({ minimum: 0, description: 'stop sending at this byte, keep the connection open' })),
    stallMs: Type.Optional(Type.Integer({ minimum: 1, description: 'how long a stall lasts (default: until the board gives up)' })),
    dropAtByte: Type.Optional(Type.Integer({ minimum: 0, description: 'close the connection after this many body bytes' })),
    throttleBytesPerSec: Type.Optional(Type.Integer({ minimum: 1, description: 'serve at most this many bytes per second' })),
    flipByteAt: Type.Optional(Type.Integer({ minimum: 0, description: 'XOR 0x01 into the byte at this offset' })),
    truncateAt: Type.Optional(Type.Integer({ minimum: 0, description: 'serve only the first N bytes, with a matching Content-Length (a truncated file on the server)' })),
    times: Type.Optional(Type.Integer({ minimum: 1, description: 'apply to the first N requests only (default: all)' })),
  },
  { description: 'faults on the served body, for download-robustness scenarios' },
);
export type HttpFaults = Static<typeof HttpFaults>;

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

const DeviceId = Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: "the board's device.id (MQTT client id, topic part); default: the board's name" }));

export const TransportConfig = Type.Union([
  closed(
    {
      kind: Type.Literal('http-pull'),
      host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'address the image server binds and advertises' })),
      port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
      trigger: Trigger,
      faults: Type.Optional(HttpFaults),
      timeoutMs: Type.Optional(Ms),
    },
    { description: 'the harness serves the image (Range, ESPhttpUpdate x-ESP8266-version/304, x-MD5) and the board downloads it' },
  ),
  closed(
    {
      kind: Type.Literal('http-push'),
      address: DeviceAddress,
      addressFrom: AddressFrom,
      path: Type.Optional(Type.String({ default: '/update' })),
      field: Type.Optional(Type.String({ default: 'file', description: 'multipart form field of the file (ESP8266 "firmware", Mongoose OS "filedata")' })),
      username: Type.Optional(Type.String({ description: 'HTTP basic auth (ESP8266HTTPUpdateServer)' })),
      password: Type.Optional(Type.String()),
      timeoutMs: StepTimeout,
    },
    { description: 'multipart POST /update to the board (ESP8266HTTPUpdateServer, Mongoose OS ota-http-server)' },
  ),
  closed(
    {
      kind: Type.Literal('espota'),
      address: DeviceAddress,
      addressFrom: AddressFrom,
      port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 8266, description: 'UDP port when the address has none' })),
      password: Type.Optional(Type.String({ description: 'ArduinoOTA.setPassword on the board' })),
      hostAddress: Type.Optional(Type.String({ default: '127.0.0.1', description: 'where the board connects back to (must be reachable from it)' })),
      command: Type.Optional(Type.Union([Type.Literal('flash'), Type.Literal('fs')], { default: 'flash' })),
      chunkSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 65536, default: 1460 })),
      timeoutMs: StepTimeout,
    },
    { description: 'ArduinoOTA / espota.py: UDP invitation, MD5 challenge, TCP connect-back' },
  ),
  closed(
    {
      kind: Type.Literal('mos-rpc'),
      mode: Type.Optional(Type.Union([Type.Literal('push'), Type.Literal('url')], { default: 'push', description: 'push: OTA.Begin/Write/End as `mos ota`; url: OTA.Update {url} from a harness-hosted server' })),
      chunkSize: Type.Optional(Type.Integer({ minimum: 16, maximum: 65536, default: 1024 })),
      framing: Type.Optional(
        Type.Union([Type.Literal('delimited'), Type.Literal('newline')], {
          default: 'delimited',
          description: 'delimited: EOF handshake, then """{json}crc""" frames; newline: {json}crc, one per line (rpc-uart since 2018, as mos sends today)',
        }),
      ),
      commitTimeout: Type.Optional(Type.Integer({ minimum: 0, description: 'seconds, passed to OTA.Begin / OTA.Update (0: commit at once)' })),
      host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'url mode: address the image server binds and advertises' })),
      timeoutMs: StepTimeout,
    },
    { description: 'Mongoose OS RPC over the serial console, as `mos ota` and `mos call OTA.*` do' },
  ),
  closed(
    {
      kind: Type.Literal('smp'),
      chunkSize: Type.Optional(Type.Integer({ minimum: 16, maximum: 4096, default: 256, description: 'image bytes per upload request' })),
      upgrade: Type.Optional(Type.Union([Type.Literal('test'), Type.Literal('confirm')], { default: 'test', description: 'after the upload: `image test` (trial) or `image confirm` (permanent)' })),
      reset: Type.Optional(Type.Boolean({ default: true, description: 'send the reset command after marking the image' })),
      timeoutMs: StepTimeout,
    },
    { description: 'mcumgr SMP over the serial console (MCUboot/Zephyr): image upload, test/confirm, reset' },
  ),
  closed(
    {
      kind: Type.Literal('command'),
      command: Type.Array(Type.String(), { minItems: 1, description: 'argv, never a shell string; {image}, {port}, {address} are replaced' }),
      progress: Type.Optional(Type.String({ description: "regex with a named group pct (default: esptool's 'Writing at 0x… (NN %)')" })),
      address: DeviceAddress,
      addressFrom: AddressFrom,
      timeoutMs: Type.Optional(Ms),
    },
    { description: 'an external tool (esptool, mos, mcumgr, nrfjprog, particle) run through execa' },
  ),
  closed(
    {
      kind: Type.Literal('mqtt-shadow'),
      deviceId: DeviceId,
      host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'address the image server binds and advertises' })),
      timeoutMs: Type.Optional(Ms),
    },
    { description: 'device shadow over MQTT: desired.ota {url, version} (retained, so an offline board gets it on connecting) → the board pulls the image over HTTP → reports state.reported.ota' },
  ),
  closed(
    {
      kind: Type.Literal('mqtt-rpc'),
      deviceId: DeviceId,
      chunkSize: Type.Optional(Type.Integer({ minimum: 16, maximum: 65536, default: 1024 })),
      commitTimeout: Type.Optional(Type.Integer({ minimum: 0, description: 'seconds, passed to OTA.Begin (0: commit at once)' })),
      timeoutMs: StepTimeout,
    },
    { description: 'Mongoose OS RPC over MQTT (<device.id>/rpc): OTA.Begin/Write/End as `mos ota --port mqtt://…` does, once the board is online' },
  ),
  closed(
    {
      kind: Type.Literal('http-poll'),
      deviceId: DeviceId,
      host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'address the manifest and image server binds and advertises' })),
      port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
      intervalS: Type.Optional(Type.Integer({ minimum: 1, default: 10, description: "the board's check interval in (simulated) seconds, as its firmware is configured" })),
      timeoutMs: Type.Optional(Ms),
    },
    { description: 'ota-http-client polling: the board GETs a manifest {version, url} on an interval and updates when the version differs' },
  ),
]);
export type TransportConfig = Static<typeof TransportConfig>;

export const InstallConfig = Type.Union([
  closed({ kind: Type.Literal('sim-flash') }, { description: 'write the image straight into simulated flash, as a programmer would' }),
  closed({
    kind: Type.Literal('command'),
    command: Type.Array(Type.String(), { minItems: 1, description: 'argv; {image} and {port} are replaced' }),
    timeoutMs: Type.Optional(Ms),
  }),
]);
export type InstallConfig = Static<typeof InstallConfig>;

export const CommitConfig = Type.Union([
  closed({ kind: Type.Literal('self'), description: Type.Optional(Type.String()) }),
  closed({
    kind: Type.Literal('console-command'),
    command: Type.String(),
    expect: Type.Optional(Type.String({ description: "regex of the line that acknowledges the commit (default: the stack's own acknowledgement)" })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'ms to wait for the acknowledgement (default 10000)' })),
  }),
  closed(
    {
      kind: Type.Literal('device-manager'),
      host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'address the harness device manager listens on' })),
      port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
      provision: Type.Optional(Type.String({ default: 'zdm endpoint {address}', description: 'console command that tells the board where its device manager is; {address} is host:port' })),
      expect: Type.Optional(Type.String({ default: 'zfota: accepted', description: 'regex of the console line that shows the board accepted its firmware' })),
    },
    { description: 'Zerynth-style: new firmware becomes permanent once it reaches its device manager; the harness runs one and refuses connections until the commit' },
  ),
]);
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

export const SimConfig = closed({
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
        "in-process: a serialport binding straight onto the simulated UART; pty: a socat pseudo-terminal behind a by-id style link that vanishes while the board is off (a USB-serial adapter the board powers), opened with serialport's native binding",
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

export function jsonSchema(): TSchema {
  return RigConfig;
}

export const STACK_NAMES: readonly StackName[] = StackName.anyOf.map((l) => l.const);
export const isStackName = (s: string): s is StackName => (STACK_NAMES as readonly string[]).includes(s);
