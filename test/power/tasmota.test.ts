// The tasmota driver against a loopback Tasmota device process speaking its HTTP command API.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { createPowerSwitch } from '../../harness/power/registry.ts';
import { PowerError } from '../../harness/power/power-switch.ts';
import { validateRig, RigError } from '../../harness/rig/load.ts';

const peers: ChildProcess[] = [];

/** Start a device; resolves with its address and what it has switched so far. */
async function device(...args: string[]): Promise<{ host: string; log: () => string[] }> {
  const p = spawn(process.execPath, ['--import', 'tsx', 'test/power/tasmota-peer.ts', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  peers.push(p);
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /^port (\d+)$/m.exec(out);
      if (m) {
        clearInterval(t);
        resolve(m[1]!);
      }
    }, 20);
    p.once('exit', () => reject(new Error(`tasmota peer exited: ${out}`)));
  });
  return { host: `127.0.0.1:${port}`, log: () => out.split('\n').filter((l) => l.startsWith('relay ')) };
}

describe('tasmota power driver', () => {
  after(() => peers.forEach((p) => p.kill()));
  it('switches a one-relay plug on and off, reading the state back', async () => {
    const d = await device('1');
    const sw = createPowerSwitch({ kind: 'tasmota', host: d.host }, { board: 'esp32-1' });
    assert.equal(sw.description, `tasmota ${d.host} relay 1`);
    assert.equal(await sw.state(), 'off');
    await sw.on();
    assert.equal(await sw.state(), 'on');
    await sw.off();
    assert.deepEqual(d.log(), ['relay 1 ON', 'relay 1 OFF']);
  });

  it('switches relay N of a multi-relay board, with the web password', async () => {
    const d = await device('4', 's3cret');
    const sw = createPowerSwitch({ kind: 'tasmota', host: d.host, relay: 3, user: 'admin', password: 's3cret' }, { board: 'nrf-1' });
    await sw.on();
    assert.equal(await sw.state(), 'on');
    assert.deepEqual(d.log(), ['relay 3 ON']);
    const noAuth = createPowerSwitch({ kind: 'tasmota', host: d.host, relay: 3 }, { board: 'nrf-1' });
    await assert.rejects(noAuth.off(), (e: Error) => e instanceof PowerError && /board nrf-1: power switch \(tasmota\): .* 401 Unauthorized/.test(e.message));
  });

  it('a relay that does not follow, a relay the device lacks and a dead address are errors naming the board', async () => {
    const d = await device('2', '', '2');
    const stuck = createPowerSwitch({ kind: 'tasmota', host: d.host, relay: 2 }, { board: 'b2' });
    await assert.rejects(stuck.on(), /board b2: power switch \(tasmota\): asked to switch relay 2 on, but the device reports it off/);
    const missing = createPowerSwitch({ kind: 'tasmota', host: d.host, relay: 5 }, { board: 'b2' });
    await assert.rejects(missing.on(), /the device has no relay 5/);
    const dead = createPowerSwitch({ kind: 'tasmota', host: '127.0.0.1:1', timeoutMs: 2000 }, { board: 'b3' });
    await assert.rejects(dead.on(), /board b3: power switch \(tasmota\): 127\.0\.0\.1:1 cmnd=Power1 On: /);
  });

  it('rig entries are validated by JSON pointer', () => {
    const rig = JSON.parse(readFileSync('rigs/sim.json', 'utf8')) as { boards: Record<string, unknown>[] };
    rig.boards[0]!.power = { kind: 'tasmota', host: 'http://plug.lan', relay: 0 };
    assert.throws(
      () => validateRig(rig, 'lab.json'),
      (e: Error) => e instanceof RigError && e.problems.some((p) => p.pointer === '/boards/0/power/host') && e.problems.some((p) => p.pointer === '/boards/0/power/relay'),
    );
  });
});
