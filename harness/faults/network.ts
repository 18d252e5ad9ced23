// A plan's network faults on the board's transport. HTTP pull has its own fault options (the
// harness-hosted server stalls, drops the connection or flips a byte in transit), so they are set
// in its config before the board opens (fixture option `faultPlan`). Other transports through
// which bytes flow can still stall at a hold point; a drop or an in-transit corruption cannot be
// made there, and the plan is refused rather than run without its fault.
import type { BoardConfig, HttpFaults, TransportConfig } from '../rig/schema.ts';
import type { Rig } from '../rig/load.ts';
import { loadImages } from '../fixtures/images.ts';
import type { FaultPlan, NetworkFaults } from './plan.ts';

const at = (p: { fraction?: number; bytes?: number }, size: number) => p.bytes ?? Math.floor((p.fraction ?? 0) * size);

/** The http-pull faults that carry out `net` for an image of `size` bytes. */
export function httpFaultsFor(net: NetworkFaults, size: number): HttpFaults {
  const f: HttpFaults = {};
  if (net.stall) Object.assign(f, { stallAtByte: at(net.stall, size), stallMs: net.stall.ms });
  if (net.drop) Object.assign(f, { dropAtByte: at(net.drop, size), times: net.drop.times ?? 1 });
  if (net.corrupt) f.flipByteAt = Math.min(at(net.corrupt, size), size - 1);
  return f;
}

/** The board config a plan needs: its network faults set in the transport where it has options. */
export async function boardConfigForPlan(rig: Rig, config: BoardConfig, plan: FaultPlan | undefined): Promise<BoardConfig> {
  const net = plan?.network;
  if (!net || config.transport.kind !== 'http-pull') return config;
  const image = (await loadImages(rig, config))[plan.image ?? 'candidate'];
  if (!image) return config; // runPlan names the missing image
  const transport: TransportConfig = { ...config.transport, faults: { ...config.transport.faults, ...httpFaultsFor(net, image.bytes.length) } };
  return { ...config, transport };
}

/** What the transport cannot do of `plan`, as "step: reason". */
export function networkProblems(config: BoardConfig, plan: FaultPlan, imageSize: number): string[] {
  const net = plan.network;
  const kind = config.transport.kind;
  const out: string[] = [];
  if (kind === 'http-pull') {
    const want = net ? httpFaultsFor(net, imageSize) : {};
    const have = config.transport.faults ?? {};
    const missing = Object.entries(want).filter(([k, v]) => have[k as keyof HttpFaults] !== v);
    if (missing.length) out.push(`network: the board was opened without these http-pull faults (${missing.map(([k, v]) => `${k}=${v}`).join(', ')}); open it with test.use({ faultPlan })`);
    return out;
  }
  if (net?.drop) out.push(`network/drop: transport ${kind} has no way to drop the connection mid-transfer`);
  if (net?.corrupt) out.push(`network/corrupt: transport ${kind} cannot corrupt bytes in transit`);
  if (kind === 'command' && net?.stall) out.push(`network/stall: transport command (an external tool) cannot be held at a byte`);
  (plan.cuts ?? []).forEach((c, i) => {
    if (c.kind === 'download' && kind === 'command') out.push(`cuts/${i}: transport command (an external tool) reports progress but cannot hold at a byte, so a download cut would land late`);
    if (c.kind === 'download' && net?.stall) out.push(`cuts/${i}: a download cut and a network stall both need the transport's one hold point`);
  });
  return out;
}

/** A stall the harness makes itself (transports without fault options): where, and for how long. */
export function heldStall(config: BoardConfig, plan: FaultPlan): { fraction?: number; bytes?: number; ms: number } | null {
  return config.transport.kind !== 'http-pull' && plan.network?.stall ? plan.network.stall : null;
}
