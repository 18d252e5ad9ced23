// The image server behind HTTP pull, driven by curl: Range requests and resuming with -C -,
// ESPhttpUpdate's x-ESP8266-version → 304 and x-MD5, and each injected fault on the body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImageServer } from '../../harness/ota/image-server.ts';
import type { HttpFaults } from '../../harness/rig/schema.ts';
import { testImage } from './sim-rig.ts';

const run = promisify(execFile);
const notes: string[] = [];

async function serve(faults?: HttpFaults) {
  const server = new ImageServer({ board: 'pull-f', kind: 'http-pull', note: (t) => notes.push(t) }, { faults, timeoutMs: 5000 });
  const img = testImage(20_000);
  const { url, delivery } = await server.add(img);
  return { server, img, url, delivery };
}

async function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('curl', ['-sS', ...args], { timeout: 10_000, encoding: 'latin1' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'ota-hil-pull-'));

test('serves the image with x-MD5; a Range request resumes and counts from its start', async () => {
  const { server, img, url, delivery } = await serve();
  try {
    const out = path.join(tmp(), 'fw.bin');
    const full = await curl(['-D', '-', '-o', out, url]);
    assert.match(full.stdout, new RegExp(`x-MD5: ${createHash('md5').update(img.bytes).digest('hex')}`, 'i'));
    assert.deepEqual(readFileSync(out), Buffer.from(img.bytes));
    const part = await curl(['-D', '-', '-r', '15000-', '-o', out, url]);
    assert.match(part.stdout, /^HTTP\/1.1 206/);
    assert.match(part.stdout, /Content-Range: bytes 15000-19999\/20000/i);
    assert.deepEqual(readFileSync(out), Buffer.from(img.bytes.subarray(15000)));
    assert.equal(delivery.progress().bytes, 20_000);
    assert.match((await curl(['-D', '-', '-o', '/dev/null', '-r', '30000-', url])).stdout, /^HTTP\/1.1 416/);
    // A suffix range: the last N bytes (a client checking a trailer or signature first).
    const tail = await curl(['-D', '-', '-r', '-500', '-o', out, url]);
    assert.match(tail.stdout, /^HTTP\/1.1 206/);
    assert.match(tail.stdout, /Content-Range: bytes 19500-19999\/20000/i);
    assert.deepEqual(readFileSync(out), Buffer.from(img.bytes.subarray(19500)));
    assert.match((await curl(['-D', '-', '-r', '-99999', '-o', out, url])).stdout, /Content-Range: bytes 0-19999\/20000/i);
    assert.match((await curl(['-D', '-', '-o', '/dev/null', '-r', '-0', url])).stdout, /^HTTP\/1.1 416/);
  } finally {
    await server.close();
  }
});

test('ESPhttpUpdate: the running version gets 304 and the delivery says why', async () => {
  const { server, url, delivery } = await serve();
  try {
    const r = await curl(['-D', '-', '-o', '/dev/null', '-A', 'ESP8266-http-Update', '-H', 'x-ESP8266-version: 1.1.0', '-H', 'x-ESP8266-sketch-md5: 00', url]);
    assert.match(r.stdout, /^HTTP\/1.1 304/);
    await assert.rejects(delivery.delivered({ timeout: 1000 }), /pull-f: http-pull: .*already runs 1.1.0 \(x-ESP8266-version\): answered 304/);
    const other = await curl(['-D', '-', '-o', '/dev/null', '-H', 'x-ESP8266-version: 1.0.0', url]);
    assert.match(other.stdout, /^HTTP\/1.1 200/);
  } finally {
    await server.close();
  }
});

test('faults: a dropped connection resumes with Range (curl -C -); flip and truncate', async () => {
  {
    const { server, img, url, delivery } = await serve({ dropAtByte: 7000, times: 1 });
    try {
      const out = path.join(tmp(), 'fw.bin');
      const first = await curl(['-o', out, url]);
      assert.notEqual(first.code, 0, 'curl sees the connection drop');
      assert.equal(readFileSync(out).length, 7000);
      const again = await curl(['-C', '-', '-o', out, url]);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(readFileSync(out), Buffer.from(img.bytes));
      assert.equal((await delivery.delivered({ timeout: 1000 })).bytes, 20_000);
    } finally {
      await server.close();
    }
  }
  {
    const { server, img, url } = await serve({ flipByteAt: 123 });
    try {
      const body = Buffer.from((await curl([url])).stdout, 'latin1');
      assert.equal(body.length, 20_000);
      assert.equal(body[123], img.bytes[123]! ^ 1);
      assert.equal(Buffer.compare(body.subarray(124), Buffer.from(img.bytes.subarray(124))), 0);
    } finally {
      await server.close();
    }
  }
  {
    const { server, url } = await serve({ truncateAt: 5000 });
    try {
      const r = await curl(['-D', '-', url]);
      assert.match(r.stdout, /Content-Length: 5000/i);
    } finally {
      await server.close();
    }
  }
});

test('faults: throttle and a timed stall slow the body; an endless stall trips the client timeout', async () => {
  {
    const { server, url } = await serve({ throttleBytesPerSec: 40_000 });
    try {
      const t0 = Date.now();
      assert.equal((await curl(['-o', '/dev/null', url])).code, 0);
      assert.ok(Date.now() - t0 >= 400, `20000 bytes at 40000 B/s took ${Date.now() - t0} ms`);
    } finally {
      await server.close();
    }
  }
  {
    const { server, url } = await serve({ stallAtByte: 1000, stallMs: 300 });
    try {
      const t0 = Date.now();
      assert.equal((await curl(['-o', '/dev/null', url])).code, 0);
      assert.ok(Date.now() - t0 >= 300);
    } finally {
      await server.close();
    }
  }
  {
    const { server, url, delivery } = await serve({ stallAtByte: 1000 });
    try {
      const r = await curl(['-m', '1', '-o', '/dev/null', url]);
      assert.equal(r.code, 28, 'curl: operation timed out');
      assert.equal(delivery.progress().bytes, 1000);
    } finally {
      await server.close();
    }
  }
});
