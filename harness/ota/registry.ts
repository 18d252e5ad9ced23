// Transport kinds: adding one is a new file plus one line here.
import type { TransportConfig } from '../rig/schema.ts';
import type { Console } from '../console/console.ts';
import type { OtaTransport } from './transport.ts';
import { HttpPullTransport } from './http-pull.ts';
import { HttpPushTransport } from './http-push.ts';
import { EspotaTransport } from './espota.ts';
import { MosRpcTransport } from './mos-rpc.ts';
import { SmpTransport } from './smp.ts';
import { CommandTransport } from './command.ts';
import { MqttShadowTransport } from './mqtt-shadow.ts';
import { MqttRpcTransport } from './mqtt-rpc.ts';
import { HttpPollTransport } from './http-poll.ts';
import type { MqttConfig } from '../rig/schema.ts';

export interface TransportContext {
  board: string;
  console: Console;
  /** The console's port path, for command transports' {port}. */
  port?: string;
  /** The rig's MQTT broker settings, for cloud transports. */
  mqtt?: MqttConfig;
}

export function createTransport(config: TransportConfig, ctx: TransportContext): OtaTransport {
  switch (config.kind) {
    case 'http-pull':
      return new HttpPullTransport(config, ctx.board, ctx.console);
    case 'http-push':
      return new HttpPushTransport(config, ctx.board, ctx.console);
    case 'espota':
      return new EspotaTransport(config, ctx.board, ctx.console);
    case 'mos-rpc':
      return new MosRpcTransport(config, ctx.board, ctx.console);
    case 'smp':
      return new SmpTransport(config, ctx.board, ctx.console);
    case 'command':
      return new CommandTransport(config, ctx.board, ctx.console, ctx.port ?? '');
    case 'mqtt-shadow':
      return new MqttShadowTransport(config, ctx.mqtt, ctx.board, ctx.console);
    case 'mqtt-rpc':
      return new MqttRpcTransport(config, ctx.mqtt, ctx.board, ctx.console);
    case 'http-poll':
      return new HttpPollTransport(config, ctx.board, ctx.console);
  }
}
