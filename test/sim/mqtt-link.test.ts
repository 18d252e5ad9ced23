// The simulated device's MQTT link says "online" (retained) only once the broker has acknowledged
// its subscriptions: a controller commands a device the moment it sees it online, and a command
// that reaches the broker before the device's SUBSCRIBE is dropped (clean session).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Packet } from 'mqtt';
import { MqttCloud } from '../../harness/ota/mqtt-cloud.ts';
import { connectMqtt } from '../../harness/sim/cloud/mqtt-link.ts';
import type { DeviceContext } from '../../harness/sim/stack.ts';

test('the device subscribes, and says online only after the SUBACK', async () => {
  const cloud = new MqttCloud(undefined, 'link-order', 'test: mqtt-link', () => undefined);
  const { url } = await cloud.brokerInfo();
  const boot = new AbortController();
  const printed: string[] = [];
  const ctx = { signal: boot.signal, print: (l: string) => printed.push(l) } as unknown as DeviceContext;
  try {
    const link = connectMqtt(ctx, { deviceId: 'link-order', mqtt: { url } })!;
    link.subscribe('link-order/rpc', () => undefined);
    const order: string[] = [];
    const online = new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`no "online" within 10 s; packets: ${order.join(' ')}; console: ${printed.join(' | ')}`)), 10_000);
      link.client.on('packetreceive', (p: Packet) => order.push(`<${p.cmd}`));
      link.client.on('packetsend', (p: Packet) => {
        order.push(`>${p.cmd}${p.cmd === 'publish' ? `:${String(p.payload)}` : ''}`);
        if (p.cmd === 'publish' && String(p.payload) === 'online') {
          clearTimeout(guard);
          resolve();
        }
      });
    });
    await online;
    assert.ok(order.indexOf('<suback') >= 0 && order.indexOf('<suback') < order.indexOf('>publish:online'), order.join(' '));
  } finally {
    boot.abort();
    await cloud.close();
  }
});
