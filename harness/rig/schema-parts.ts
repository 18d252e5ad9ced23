// Building blocks shared by the rig schema and the kind modules that declare their own options
// (harness/rig/kind.ts). Nothing here imports a registry, so any kind module may import it.
import { Type, type TObject, type TProperties } from '../typebox.ts';

/** Every object is closed: a typo in a rig file is an error, not a silently ignored field. */
export const closed = <T extends TProperties>(props: T, opts: { description?: string; title?: string } = {}): TObject<T> =>
  Type.Object(props, { additionalProperties: false, ...opts });

export const Name = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'letters, digits, . _ -' });
export const Argv = Type.Array(Type.String(), { minItems: 1, description: 'program and arguments, never a shell string' });
export const Ms = Type.Integer({ minimum: 1 });

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

/** Relay channel, as printed on the board. */
export const Channel = Type.Integer({ minimum: 1, maximum: 8, description: 'relay channel, counted from 1 as printed on the board' });
/** ms before one run of an external tool is abandoned. */
export const ToolTimeout = Type.Optional(Type.Integer({ minimum: 1, default: 10000, description: 'ms before one run of the tool is abandoned' }));
export const StepTimeout = Type.Optional(Type.Integer({ minimum: 1, description: 'ms before a step of the transfer (a request, an ack, the whole delivery) is abandoned' }));
/** Per request over the console, as mcumgr's -t and mos's --timeout: a board that lost power never answers. */
export const RequestTimeout = (ms: number) =>
  Type.Optional(Type.Integer({ minimum: 1, default: ms, description: "ms to wait for the board's answer to one request before it is sent again or the step fails" }));
export const BoardAddress = Type.Optional(
  Type.String({ pattern: '^[^\\s:]+(:[0-9]{1,5})?$|^\\[[0-9a-fA-F:.]+\\](:[0-9]{1,5})?$', description: "the board's address, host or host:port; without it the address is learned from a console line (addressFrom)" }),
);
export const AddressFrom = Type.Optional(
  Type.String({ description: 'regex with named groups host and (optionally) port, matched against console lines to learn the address the board prints' }),
);
export const DeviceId = Type.Optional(
  Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: "the board's device.id (MQTT client id, topic part); default: the board's name" }),
);
