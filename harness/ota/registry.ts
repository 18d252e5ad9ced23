// Transport kinds: a transport is one module declaring its rig options beside its factory
// (harness/rig/kind.ts); adding one is that file plus one line here.
import type { Static } from '../typebox.ts';
import { KindRegistry, unionOf, type AnyKindConfig } from '../rig/kind.ts';
import type { OtaTransport, TransportContext } from './transport.ts';
import { httpPullTransport } from './http-pull.ts';
import { httpPushTransport } from './http-push.ts';
import { espotaTransport } from './espota.ts';
import { mosRpcTransport } from './mos-rpc.ts';
import { smpTransport } from './smp.ts';
import { commandTransport } from './command.ts';
import { mqttShadowTransport } from './mqtt-shadow.ts';
import { mqttRpcTransport } from './mqtt-rpc.ts';
import { httpPollTransport } from './http-poll.ts';

export const TRANSPORT_KINDS = [
  httpPullTransport,
  httpPushTransport,
  espotaTransport,
  mosRpcTransport,
  smpTransport,
  commandTransport,
  mqttShadowTransport,
  mqttRpcTransport,
  httpPollTransport,
] as const;

export const TransportUnion = unionOf(TRANSPORT_KINDS);
export const transportKinds = new KindRegistry<TransportContext, OtaTransport>('transport', TRANSPORT_KINDS);

export type { TransportContext };

export function createTransport(config: Static<typeof TransportUnion> | AnyKindConfig, ctx: TransportContext): OtaTransport {
  return transportKinds.create(config, ctx, ctx.board);
}
