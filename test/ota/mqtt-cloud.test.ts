// The harness's MQTT cloud against a board that reboots under a pending RPC (issue 14): the
// request is published while the board is down but its retained "online" still stands (its will
// not given yet), so the broker drops it (clean session). The call must go again once the board
// is back online, and be answered; without that it times out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { MqttCloud, statusTopic } from '../../harness/ota/mqtt-cloud.ts';

const ID = 'board-reboots';

test('an RPC published while the board is down is sent again when it comes back online, and answered', async () => {
  const notes: string[] = [];
  const cloud = new MqttCloud(undefined, ID, 'test: mqtt-rpc', (t) => notes.push(t));
  const { url } = await cloud.brokerInfo();
  const clients: mqtt.MqttClient[] = [];
  try {
    // First boot: online (retained), no will, so its status outlives it as a real board's does until the keepalive runs out.
    const boot1 = await mqtt.connectAsync(url, { clientId: ID, clean: true });
    clients.push(boot1);
    await boot1.publishAsync(statusTopic(ID), 'online', { qos: 1, retain: true });
    await cloud.waitOnline(5000);
    await boot1.endAsync();

    // A watcher sees the request reach the broker while no board is subscribed.
    const watcher = await mqtt.connectAsync(url, { clientId: 'watcher', clean: true });
    clients.push(watcher);
    const seen = new Promise<void>((r) => watcher.once('message', () => r()));
    await watcher.subscribeAsync(`${ID}/rpc`, { qos: 1 });
    const answer = cloud.call('OTA.Commit', undefined, 4000);
    await seen;

    // Second boot: the will's "offline", then subscribed before it says "online" (as mgos subscribes on CONNACK).
    const boot2 = await mqtt.connectAsync(url, { clientId: ID, clean: true });
    clients.push(boot2);
    let requests = 0;
    boot2.on('message', (_t, p) => {
      const req = JSON.parse(p.toString('utf8')) as { id: number; src: string };
      requests++;
      void boot2.publishAsync(`${req.src}/rpc`, JSON.stringify({ id: req.id, src: ID, dst: req.src, result: { ok: true } }), { qos: 1 });
    });
    await boot2.subscribeAsync(`${ID}/rpc`, { qos: 1 });
    await boot2.publishAsync(statusTopic(ID), 'offline', { qos: 1, retain: true });
    await boot2.publishAsync(statusTopic(ID), 'online', { qos: 1, retain: true });

    assert.deepEqual(await answer, { ok: true });
    assert.equal(requests, 1, 'the second boot got the request once');
    assert.ok(notes.some((n) => n.includes('OTA.Commit (id 1) sent again')), notes.join('\n'));
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await cloud.close();
  }
});
