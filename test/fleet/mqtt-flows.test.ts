// The cloud flows end to end on simulated boards opened as scenarios open them (Board.open), with
// the embedded broker and with a real mosquitto (started here on loopback, own config, free port;
// skipped when mosquitto is not installed): the device shadow (an offline board gets the retained
// desired state when it comes online), Mongoose OS RPC over MQTT with OTA.Commit, HTTP polling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { loadRig, type Rig } from '../../harness/rig/load.ts';
import type { BoardConfig, MqttConfig, TransportConfig } from '../../harness/rig/schema.ts';
import { Board } from '../../harness/fixtures/board.ts';
import type { MqttRpcTransport } from '../../harness/ota/mqtt-rpc.ts';
import { sameVersion } from '../../harness/fixtures/to-boot.ts';

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

function rigWith(name: string, transport: TransportConfig, mqtt?: MqttConfig): { rig: Rig; config: BoardConfig } {
  const rig = loadRig('rigs/sim.json');
  const base = rig.boards.find((b) => b.name === name)!;
  const config: BoardConfig = { ...base, name: `${name}-${transport.kind}`, transport };
  return { rig: { ...rig, mqtt, boards: [config] }, config };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let mosquitto: { proc: ChildProcess; url: string; dir: string } | null = null;

before(async () => {
  if (!MOSQUITTO) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-mosquitto-'));
  const port = await freePort();
  // Own config: loopback only, as the user running the test (not its service account), a password file, no persistence, nothing of the system's service.
  writeFileSync(path.join(dir, 'passwd'), '');
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `user ${userInfo().username}\nlistener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${path.join(dir, 'passwd')}\npersistence false\nlog_dest stderr\n`);
  await new Promise<void>((resolve, reject) => {
    const pw = spawn(['/usr/bin/mosquitto_passwd', '/usr/sbin/mosquitto_passwd'].find((p) => existsSync(p)) ?? 'mosquitto_passwd', ['-b', path.join(dir, 'passwd'), 'lab', 'lab-secret']);
    pw.on('error', reject);
    pw.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`mosquitto_passwd exited ${c}`))));
  });
  const proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (up) break;
    if (i > 50 || proc.exitCode !== null) throw new Error(`mosquitto did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  mosquitto = { proc, url: `mqtt://127.0.0.1:${port}`, dir };
});

after(() => {
  mosquitto?.proc.kill();
  if (mosquitto) rmSync(mosquitto.dir, { recursive: true, force: true });
});

const brokers: [string, () => MqttConfig | undefined | null][] = [
  ['embedded broker', () => undefined],
  ['embedded broker with credentials', () => ({ username: 'fleet', password: 'pw' })],
  ['mosquitto', () => (mosquitto ? { url: mosquitto.url, username: 'lab', password: 'lab-secret' } : null)],
];

for (const [label, mqtt] of brokers) {
  test(`device shadow (${label}): a board offline when desired.ota is set pulls it on connecting and reports back`, { skip: label === 'mosquitto' && !MOSQUITTO && 'mosquitto not installed' }, async () => {
    const m = mqtt();
    assert.notEqual(m, null);
    const { rig, config } = rigWith('mongoose-1', { kind: 'mqtt-shadow' }, m ?? undefined);
    const board = await Board.open(rig, config);
    try {
      await board.install(board.images.baseline!);
      await board.power.cut();
      const d = await board.ota.start(board.images.candidate!); // retained: the board is off
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(d.progress().phase, 'waiting');
      await board.power.restore();
      await board.boots.next(); // the baseline comes up and connects
      await board.console.expect(/mqtt: connected to mqtt:\/\/127\.0\.0\.1:\d+ as mongoose-1-mqtt-shadow/);
      await d.delivered({ timeout: 20_000 });
      const boot = await board.boots.next({ timeout: 20_000 });
      assert.ok(sameVersion(boot.version, '1.1.0'), String(boot.version));
      assert.equal(boot.event, 'trial');
      const reports = board.console.events.filter((e) => e.text.startsWith('ota: shadow reported')).map((e) => e.text);
      assert.ok(reports.includes('ota: shadow reported {"fw_version":"1.0.0","status":"applied","version":"1.1.0"}'), reports.join('\n'));
      // Cleared once applied: after the commit and a power cycle the board stays, and says nothing new.
      await board.commit();
      await board.power.cycle();
      const again = await board.boots.next();
      assert.ok(sameVersion(again.version, '1.1.0'), String(again.version));
      assert.equal(again.event, 'normal');
    } finally {
      await board.close();
    }
  });
}

test('Mongoose OS RPC over MQTT: OTA.Begin/Write/End with a hold point, then OTA.Commit over MQTT', async () => {
  const { rig, config } = rigWith('mongoose-1', { kind: 'mqtt-rpc', chunkSize: 2048, timeoutMs: 20_000 });
  const board = await Board.open(rig, config);
  try {
    await board.install(board.images.baseline!);
    const d = await board.ota.start(board.images.candidate!);
    const held = await d.reached({ fraction: 0.5 }, { timeout: 20_000 });
    assert.ok(held.bytes >= board.images.candidate!.bytes.length / 2 && held.phase === 'transferring', JSON.stringify(held));
    d.resume();
    await d.delivered({ timeout: 20_000 });
    const boot = await board.boots.next({ timeout: 20_000 });
    assert.ok(sameVersion(boot.version, '1.1.0'), String(boot.version));
    assert.equal(boot.event, 'trial');
    const t = (board.ota as unknown as { transport: MqttRpcTransport }).transport;
    await t.cloud.waitOnline(10_000);
    await t.commit();
    await board.power.cycle();
    const kept = await board.boots.next();
    assert.ok(sameVersion(kept.version, '1.1.0') && kept.event === 'normal', `${kept.version} ${kept.event}`);
  } finally {
    await board.close();
  }
});

test('mosquitto refuses wrong credentials; the board says so on its console', { skip: !MOSQUITTO && 'mosquitto not installed' }, async () => {
  const { rig, config } = rigWith('esp-idf-1', { kind: 'mqtt-shadow', timeoutMs: 3000 }, { url: mosquitto!.url, username: 'lab', password: 'wrong' });
  const board = await Board.open(rig, config);
  try {
    await board.install(board.images.baseline!);
    await board.console.expect(/mqtt: .*(Not authorized|Bad user name or password)/i, { timeout: 10_000 });
    await assert.rejects(board.ota.start(board.images.candidate!), /esp-idf-1-mqtt-shadow: mqtt-shadow: MQTT broker mqtt:\/\/127\.0\.0\.1:\d+: .*(Not authorized|Bad user)/i);
  } finally {
    await board.close();
  }
});

test('HTTP polling: the board checks its manifest on an interval (simulated time) and updates when a newer version appears', async () => {
  const intervalS = 4;
  const { rig, config } = rigWith('esp-idf-1', { kind: 'http-poll', intervalS });
  const board = await Board.open(rig, config);
  try {
    await board.install(board.images.baseline!);
    const from = board.console.lines.length;
    const d = await board.ota.start(board.images.candidate!);
    await d.delivered({ timeout: 20_000 });
    await board.console.expect(/ota-http-client: 1\.1\.0 available \(running 1\.0\.0\)/, { from });
    const boot = await board.boots.next({ timeout: 20_000 });
    assert.deepEqual([boot.version, boot.event], ['1.1.0', 'trial']);
    // The same manifest on the next checks: the running version matches, nothing is pulled again.
    await board.commit();
    const after = board.console.lines.length;
    // Two checks and a half at the board's time scale (simulated seconds per wall second).
    await new Promise((r) => setTimeout(r, (2.5 * intervalS * 1000) / config.sim!.timeScale!));
    assert.equal(board.console.lines.slice(after).filter((l) => /available/.test(l.text)).length, 0);
  } finally {
    await board.close();
  }
});
