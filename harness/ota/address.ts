// Where a board listens: the rig's fixed address, or the one the board prints on its console
// (a real device prints its IP; a simulated one its loopback address and ephemeral port, since
// fixed ports would collide between parallel tests). Never read from simulator state.
import type { Console } from '../console/console.ts';
import { OtaError } from './transport.ts';

export interface DeviceAddress {
  host: string;
  port: number;
}

export interface AddressOptions {
  board: string;
  kind: string;
  console: Console;
  address?: string;
  addressFrom?: string;
  /** The line a simulated board (and the stock firmware examples) print. */
  defaultPattern: RegExp;
  defaultPort?: number;
  timeoutMs?: number;
}

export function parseAddress(text: string, defaultPort: number | undefined, what: string): DeviceAddress {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:\s]+)(?::(\d+))?$/.exec(text);
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  if (!m || port === undefined || port < 1 || port > 65535) throw new OtaError(`${what}: cannot read the address ${JSON.stringify(text)} (host:port expected)`);
  return { host: m[1]!, port };
}

/** The rig's address, else the latest console line matching the pattern (waiting for one). */
export async function deviceAddress(o: AddressOptions): Promise<DeviceAddress> {
  const what = `${o.board}: ${o.kind}`;
  if (o.address) return parseAddress(o.address, o.defaultPort, what);
  const pattern = o.addressFrom ? new RegExp(o.addressFrom) : o.defaultPattern;
  const probe = (): DeviceAddress | undefined => {
    for (let i = o.console.lines.length - 1; i >= 0; i--) {
      const m = pattern.exec(o.console.lines[i]!.text);
      const host = m?.groups?.host;
      if (!m || !host) continue;
      const port = m.groups?.port !== undefined ? Number(m.groups.port) : o.defaultPort;
      if (port === undefined) throw new OtaError(`${what}: the console line ${JSON.stringify(m[0])} gives no port and the transport has no default`);
      return { host, port };
    }
    return undefined;
  };
  try {
    return await o.console.waitFor(probe, o.timeoutMs ?? 10_000, `line matching ${String(pattern)} (the board's address)`);
  } catch (e) {
    throw new OtaError(`${what}: the rig gives no address and the board printed none: ${(e as Error).message}`);
  }
}
