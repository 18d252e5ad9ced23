// External command transport: argv substitution (never a shell), output into the console log,
// esptool progress parsed, a hold point freezing the tool, failures naming board and tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { simRig, testImage } from './sim-rig.ts';
import { sinkStack } from './sink-stack.ts';

const tool = path.join(import.meta.dirname, 'fixtures', 'fake-esptool.mjs');

test('esptool-style progress drives the delivery; a hold point stops the tool until resume', async () => {
  const rig = await simRig('cmd-1', sinkStack([]), { kind: 'command', command: [process.execPath, tool, '--port', '{port}', 'write_flash', '0x10000', '{image}'], timeoutMs: 10_000 });
  try {
    const d = await rig.transport.start(testImage(10_000));
    const p = await d.reached({ fraction: 0.3 }, { timeout: 5000 });
    assert.equal(p.bytes, 3000);
    const frozen = rig.console.events.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(rig.console.events.length, frozen, 'the tool prints nothing while stopped');
    d.resume();
    assert.equal((await d.delivered({ timeout: 5000 })).bytes, 10_000);
    const log = rig.console.events.map((e) => e.text);
    assert.ok(log.some((t) => t === 'ota| Writing at 0x00010bb8... (30 %)'));
    assert.ok(log.some((t) => t.startsWith(`ota: run ${process.execPath} ${tool} --port sim:cmd-1 write_flash 0x10000 /`)));
  } finally {
    await rig.close();
  }
});

test('a failing tool fails the delivery with its last words; a missing one says not installed', async () => {
  const rig = await simRig('cmd-2', sinkStack([]), { kind: 'command', command: [process.execPath, tool, '--fail', '{image}'], timeoutMs: 10_000 });
  const missing = await simRig('cmd-3', sinkStack([]), { kind: 'command', command: ['no-such-flasher-xyz', '{image}'], timeoutMs: 10_000 });
  try {
    const d = await rig.transport.start(testImage(100));
    await assert.rejects(d.delivered({ timeout: 5000 }), /cmd-2: command: .*exited with 2: A fatal error occurred: Failed to connect to ESP8266/);
    const m = await missing.transport.start(testImage(100));
    await assert.rejects(m.delivered({ timeout: 5000 }), /cmd-3: command: .*no-such-flasher-xyz is not installed/);
  } finally {
    await rig.close();
    await missing.close();
  }
});

test('rig values are arguments, never shell: metacharacters arrive verbatim', async () => {
  const rig = await simRig('cmd-4', sinkStack([]), { kind: 'command', command: [process.execPath, '-e', 'console.log("arg=" + process.argv[1])', '$(touch /tmp/ota-hil-pwned); echo {image}'], timeoutMs: 10_000 });
  try {
    const d = await rig.transport.start(testImage(100));
    await d.delivered({ timeout: 5000 });
    assert.ok(rig.console.events.some((e) => /^ota\| arg=\$\(touch \/tmp\/ota-hil-pwned\); echo \//.test(e.text)));
  } finally {
    await rig.close();
  }
});
