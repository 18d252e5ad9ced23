// The MQTT broker fleet transports and simulated devices meet at: an embedded one (aedes) on
// loopback by default, or the lab's own (mosquitto, a cloud endpoint) when the rig names a URL.
// One broker per process, shared by every board that needs it and stopped when the last lets go,
// so it starts and stops with the run (a Playwright worker, a fleet, a test).
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { MqttConfig } from '../rig/schema.ts';

export interface BrokerHandle {
  /** mqtt://host:port, what clients connect to. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** 'embedded' or 'external'. */
  readonly kind: 'embedded' | 'external';
  release(): Promise<void>;
}

interface Shared {
  key: string;
  users: number;
  url: string;
  stop: () => Promise<void>;
}

let shared: Promise<Shared> | null = null;

/** The broker for `config`: the rig's external URL, or an embedded broker started on first use. */
export async function acquireBroker(config: MqttConfig = {}): Promise<BrokerHandle> {
  const creds = { username: config.username, password: config.password };
  if (config.url) {
    return { url: config.url, ...creds, kind: 'external', release: () => Promise.resolve() };
  }
  const key = JSON.stringify(config);
  if (shared) {
    const s = await shared;
    if (s.key !== key) throw new Error(`mqtt: an embedded broker with other settings runs already (${s.url}); one rig per process`);
  }
  shared ??= startEmbedded(config, key);
  const s = await shared.catch((e: unknown) => {
    shared = null;
    throw e;
  });
  s.users++;
  let released = false;
  return {
    url: s.url,
    ...creds,
    kind: 'embedded',
    release: async () => {
      if (released) return;
      released = true;
      if (--s.users > 0) return;
      shared = null;
      await s.stop();
    },
  };
}

async function startEmbedded(config: MqttConfig, key: string): Promise<Shared> {
  const { Aedes } = await import('aedes'); // loaded when a run first needs the embedded broker
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      if (config.username === undefined) return done(null, true);
      const ok = username === config.username && (config.password === undefined || password?.toString('utf8') === config.password);
      if (ok) return done(null, true);
      done(Object.assign(new Error('bad user name or password'), { returnCode: 4 as const }), false);
    },
  });
  const server = net.createServer(broker.handle);
  const host = config.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`mqtt: the embedded broker cannot listen on ${host}:${config.port ?? 0}: ${e.message}`)));
    server.listen(config.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    key,
    users: 0,
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
