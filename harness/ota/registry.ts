// Transport kinds: adding one is a new file plus one line here.
import type { TransportConfig } from '../rig/schema.ts';
import type { Console } from '../console/console.ts';
import type { OtaTransport } from './transport.ts';
import { HttpPullTransport } from './http-pull.ts';

export interface TransportContext {
  board: string;
  console: Console;
}

export function createTransport(config: TransportConfig, ctx: TransportContext): OtaTransport {
  switch (config.kind) {
    case 'http-pull':
      return new HttpPullTransport(config, ctx.board, ctx.console);
  }
}
