// HTTP push: the harness side against the simulated board's /update (address learned from the
// console line it prints), and the device side against curl -F, the client users run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simRig, testImage } from './sim-rig.ts';
import { sinkStack } from './sink-stack.ts';

const run = promisify(execFile);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function pushRig(name: string) {
  const rig = await simRig(name, sinkStack(['http-push']), { kind: 'http-push', timeoutMs: 10_000 });
  rig.device.powerOn();
  const line = await rig.console.expect(/^update server listening on (http:\S+)$/, { timeout: 5000 });
  return { ...rig, url: /(http:\S+)/.exec(line.text)![1]! };
}

test('pushes every byte as multipart; progress by bytes sent; the board reboots', async () => {
  const rig = await pushRig('push-1');
  try {
    const img = testImage(30_000);
    const d = await rig.transport.start(img);
    const half = await d.reached({ bytes: 10_000 }, { timeout: 5000 });
    assert.equal(half.bytes, 10_000);
    d.resume();
    assert.deepEqual(await d.delivered({ timeout: 5000 }), { phase: 'delivered', bytes: 30_000, total: 30_000 });
    await rig.console.expect(`sink: got 30000 bytes sha256=${sha(img.bytes)}`, { timeout: 5000 });
    await rig.console.expect('peer: boot 1', { timeout: 5000 });
  } finally {
    await rig.close();
  }
});

test('a power cut at the hold point fails the delivery naming board and transport', async () => {
  const rig = await pushRig('push-2');
  try {
    const d = await rig.transport.start(testImage(30_000));
    await d.reached({ fraction: 0.5 }, { timeout: 5000 });
    rig.device.powerOff();
    await assert.rejects(d.delivered({ timeout: 5000 }), /push-2: http-push: .*connection closed by the board after 15000\/30000 bytes|push-2: http-push: .*(ECONNRESET|socket hang up)/);
  } finally {
    await rig.close();
  }
});

test('curl -F file=@fw.bin http://ADDR/update is accepted byte for byte', async () => {
  const rig = await pushRig('push-3');
  try {
    const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-curl-'));
    const bytes = testImage(20_001).bytes;
    writeFileSync(path.join(dir, 'fw.bin'), bytes);
    const { stdout } = await run('curl', ['-sS', '-F', `file=@${path.join(dir, 'fw.bin')}`, rig.url], { timeout: 10_000 });
    assert.match(stdout, /Update applied, finalizing|Update Success! Rebooting/);
    await rig.console.expect(`sink: got 20001 bytes sha256=${sha(bytes)}`, { timeout: 5000 });
    await rig.console.expect('peer: boot 1', { timeout: 5000 });
    // A form field before the file (Mongoose OS's commit_timeout) is skipped, not taken as the image.
    await rig.console.expect(/^update server listening on /, { timeout: 5000 });
    const url = /(http:\S+)/.exec(rig.console.lines.filter((l) => l.text.startsWith('update server listening on ')).at(-1)!.text)![1]!;
    const r2 = await run('curl', ['-sS', '-F', 'commit_timeout=60', '-F', `filedata=@${path.join(dir, 'fw.bin')}`, url], { timeout: 10_000 });
    assert.match(r2.stdout, /Update applied|Update Success/);
    await rig.console.expect('peer: boot 2', { timeout: 5000 });
  } finally {
    await rig.close();
  }
});

test('the rig address wins over the console; a wrong one fails with a clear error', async () => {
  const rig = await simRig('push-4', sinkStack(['http-push']), { kind: 'http-push', address: '127.0.0.1:1', timeoutMs: 5000 });
  try {
    rig.device.powerOn();
    const d = await rig.transport.start(testImage(1000));
    await assert.rejects(d.delivered({ timeout: 5000 }), /push-4: http-push: .*ECONNREFUSED/);
  } finally {
    await rig.close();
  }
});

/** A multipart upload written by hand, in chunks of `chunk` bytes, so delimiters fall across chunk edges. */
async function post(url: string, body: Buffer, boundary: string, chunk: number, hold?: Promise<void>): Promise<{ status: number; text: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    void (async () => {
      for (let i = 0; i < body.length; i += chunk) {
        if (hold && i >= chunk) await hold;
        req.write(body.subarray(i, i + chunk));
        await new Promise((r) => setImmediate(r));
      }
      req.end();
    })();
  });
}

test('a preamble, a field before the file and delimiters split across chunks: the file arrives byte for byte', async () => {
  const rig = await pushRig('push-7');
  try {
    const file = Buffer.from(testImage(20_000).bytes);
    const b = 'XyZ-boundary';
    const body = Buffer.concat([
      Buffer.from(`${'preamble '.repeat(500)}\r\n--${b}\r\nContent-Disposition: form-data; name="commit_timeout"\r\n\r\n60\r\n--${b}\r\n`),
      Buffer.from(`Content-Disposition: form-data; name="file"; filename="fw.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${b}--\r\n`),
    ]);
    const r = await post(rig.url, body, b, 7);
    assert.equal(r.status, 200, r.text);
    await rig.console.expect(`sink: got 20000 bytes sha256=${sha(file)}`, { timeout: 5000 });
  } finally {
    await rig.close();
  }
});

test('a second upload while one is in progress is refused with 409; the first completes intact', async () => {
  const rig = await pushRig('push-8');
  try {
    const file = Buffer.from(testImage(50_000).bytes);
    const b = 'b0undary';
    const body = Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="fw.bin"\r\n\r\n`), file, Buffer.from(`\r\n--${b}--\r\n`)]);
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const first = post(rig.url, body, b, 4096, hold);
    await rig.console.expect('sink: begin', { timeout: 5000 });
    const second = await post(rig.url, body, b, 4096);
    assert.equal(second.status, 409);
    assert.match(second.text, /an update over http-push is in progress/);
    release();
    assert.equal((await first).status, 200);
    await rig.console.expect(`sink: got 50000 bytes sha256=${sha(file)}`, { timeout: 5000 });
  } finally {
    await rig.close();
  }
});
