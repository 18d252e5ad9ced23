// docs/extending.md's worked example, as printed: the one-file power driver of a firmware
// repository, registered as its config registers it, validated with its rig entry, and switching
// a PDU played by a loopback HTTP server. If the doc's code stops working, this fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { registerKinds } from '../../harness/rig/extend.ts';
import { validateRig, RigError } from '../../harness/rig/load.ts';
import { powerKinds } from '../../harness/power/registry.ts';
import type { PowerContext, PowerSwitch } from '../../harness/power/power-switch.ts';
import type { KindDef } from '../../harness/rig/kind.ts';

const doc = readFileSync('docs/extending.md', 'utf8');
const block = (first: string, lang: string) => {
  const m = new RegExp('```' + lang + '\\n(' + first.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + '[\\s\\S]*?)```').exec(doc);
  assert.ok(m, `docs/extending.md has a ${lang} block starting ${first}`);
  return m[1]!;
};

async function loadDriver(): Promise<KindDef> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-doc-kind-'));
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  const source = block('// power/lab-pdu.ts', 'ts').replace("from 'ota-hil/kinds'", `from ${JSON.stringify(path.resolve('harness/kinds.ts'))}`);
  writeFileSync(path.join(dir, 'lab-pdu.ts'), source);
  return ((await import(pathToFileURL(path.join(dir, 'lab-pdu.ts')).href)) as { labPdu: KindDef }).labPdu;
}

/** The PDU: outlets with a state; outlet 9 ignores switching; outlet 7 never answers. */
async function pdu(): Promise<{ server: Server; host: string; outlets: Map<number, string> }> {
  const outlets = new Map<number, string>([[3, 'on'], [9, 'on']]);
  const server = createServer((req, res) => {
    const n = Number(/^\/outlets\/(\d+)$/.exec(req.url ?? '')?.[1]);
    if (n === 7) return; // hangs
    if (!outlets.has(n)) return void res.writeHead(404).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'PUT' && n !== 9) outlets.set(n, (JSON.parse(body) as { state: string }).state);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ state: outlets.get(n) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, outlets };
}

const rigWith = (power: unknown) => ({
  name: 'lab',
  images: { baseline: { version: '1.0.0', file: 'fw.bin' } },
  boards: [{ name: 'board-1', stack: 'mcuboot', console: { port: { byId: 'usb-x-if00' } }, power, transport: { kind: 'smp' }, install: { kind: 'command', command: ['true'] } }],
});

test("the doc's driver, registered as the doc's config does, validates its rig entry by JSON pointer and switches a loopback PDU", async (t) => {
  const labPdu = await loadDriver();
  assert.match(block('// ota-kinds.ts', 'ts'), /export default \{ power: \[labPdu\] \}/);
  assert.match(block('// playwright.config.ts', 'ts'), /import kinds from '\.\/ota-kinds\.ts';[\s\S]*\n {2}kinds,\n/);
  registerKinds({ power: [labPdu as KindDef<never, PowerContext, PowerSwitch>] });

  // The doc's rig entry is valid; the doc's CLI example error is what a bad outlet gets.
  const entry = JSON.parse(`{${/"power": \{ "kind": "lab-pdu"[^\n]*\}/.exec(doc)![0]}}`) as { power: Record<string, unknown> };
  validateRig(rigWith(entry.power), 'lab.json');
  assert.throws(
    () => validateRig(rigWith({ ...entry.power, outlet: 17 }), 'lab.json'),
    (e: unknown) => e instanceof RigError && e.problems.some((p) => p.pointer === '/boards/0/power/outlet' && doc.includes(`${p.pointer}: ${p.message}`)),
  );

  const { server, host, outlets } = await pdu();
  t.after(() => server.close());
  const make = (outlet: number, extra = {}) => powerKinds.create({ kind: 'lab-pdu', host, outlet, ...extra }, { board: 'board-1' }, 'board-1');
  const sw = make(3);
  assert.equal(await sw.state(), 'on');
  await sw.off();
  assert.equal(outlets.get(3), 'off');
  assert.equal(await sw.state(), 'off');
  await sw.on();
  assert.equal(outlets.get(3), 'on');
  await assert.rejects(make(9).off(), /board board-1: power switch \(lab-pdu\): outlet 9 was switched off, but reports on/);
  await assert.rejects(make(7, { timeoutMs: 200 }).state(), /board-1.*lab-pdu.*no answer within 200 ms/);
  await assert.rejects(make(5).state(), /HTTP 404/);
});
