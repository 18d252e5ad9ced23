// The device's MQTT connection for one boot: connect (with credentials when configured), a
// retained "online" status and a last will of "offline", and a hard end when the boot ends (a
// power cut or reset kills the socket without a DISCONNECT, so the broker publishes the will).
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceContext } from '../stack.ts';
import type { DeviceCloud } from '../../rig/schema.ts';

export const statusTopic = (id: string): string => `ota-hil/things/${id}/status`;

export type MessageHandler = (topic: string, payload: Buffer) => void;

export interface MqttLink {
  client: MqttClient;
  subscribe(topic: string, onMessage: MessageHandler): void;
  /** Resolves once the broker has it (QoS 1), or at once when the boot is over. */
  publish(topic: string, payload: unknown, opts?: { retain?: boolean }): Promise<void>;
}

export function connectMqtt(ctx: DeviceContext, p: DeviceCloud): MqttLink | null {
  const cfg = p.mqtt;
  if (!cfg || ctx.signal.aborted) return null;
  const client = mqtt.connect(cfg.url, {
    clientId: p.deviceId,
    username: cfg.username,
    password: cfg.password,
    clean: true,
    reconnectPeriod: 500,
    connectTimeout: 5000,
    will: { topic: statusTopic(p.deviceId), payload: Buffer.from('offline'), qos: 1, retain: true },
  });
  const handlers = new Map<string, MessageHandler>();
  client.on('connect', () => {
    if (ctx.signal.aborted) return;
    ctx.print(`mqtt: connected to ${cfg.url} as ${p.deviceId}`);
    // "online" only once the broker holds the subscriptions: a controller may command the device
    // the moment it sees it, and that command must not be lost.
    const online = () => {
      if (!ctx.signal.aborted) client.publish(statusTopic(p.deviceId), 'online', { qos: 1, retain: true });
    };
    const topics = [...handlers.keys()];
    if (topics.length) client.subscribe(topics, { qos: 1 }, online);
    else online();
  });
  client.on('error', (e) => {
    if (!ctx.signal.aborted) ctx.print(`mqtt: ${e.message}`);
  });
  client.on('message', (topic, payload) => {
    if (ctx.signal.aborted) return;
    handlers.get(topic)?.(topic, payload);
  });
  ctx.signal.addEventListener('abort', () => client.end(true), { once: true });
  return {
    client,
    subscribe(topic, onMessage) {
      handlers.set(topic, onMessage);
      if (client.connected) client.subscribe(topic, { qos: 1 });
    },
    publish(topic, payload, opts = {}) {
      if (ctx.signal.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          ctx.signal.removeEventListener('abort', done);
          resolve();
        };
        ctx.signal.addEventListener('abort', done, { once: true });
        client.publish(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1, retain: opts.retain ?? false }, done);
      });
    },
  };
}
