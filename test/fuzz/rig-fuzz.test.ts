// Property-based fuzzing of rig files (fast-check): the project's rigs, mutated (fields deleted,
// replaced by odd values, unknown and prototype-polluting keys added, keys renamed), are either
// refused with a RigError whose every problem has a JSON pointer and a message, or accepted; an
// accepted rig must be one the harness can run: its regexes compile, its timeouts fit setTimeout,
// its record keys follow their patterns, its sim images fit their slots, and nothing was written
// to Object.prototype. Any other exception is a crash. Seeded: a failure prints its seed and path.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { RigError, validateRigWithImages, type Rig } from '../../harness/rig/load.ts';
import { loadImages } from '../../harness/fixtures/images.ts';
import { simStack } from '../../harness/sim/registry.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const seeds = ['rigs/sim.json', 'rigs/sim-pty.json', ...readdirSync(path.join(ROOT, 'rigs/examples')).filter((f) => f.endsWith('.json')).map((f) => `rigs/examples/${f}`)].map(
  (f) => ({ file: f, data: JSON.parse(readFileSync(path.join(ROOT, f), 'utf8')) as unknown }),
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k]!, [...at, k], out);
  return out;
}

const own = (o: object, k: string, value: unknown) => Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });

const oddString = fc.constantFrom('', ' ', '(', '[a-', '(?<pct>', '(?<host>x', 'a'.repeat(300), '/dev/ttyUSB0', '/dev/serial/by-id/usb-FTDI-if00', '__proto__', '..', '1.0/../../x', '\u0000', 'on');
const oddNumber = fc.constantFrom(0, -1, 0.5, 1e300, 2 ** 31, 2 ** 31 - 1, 2 ** 53, 4096, 256, 1e9);
const value: fc.Arbitrary<Json> = fc.oneof(
  oddString,
  oddNumber,
  fc.constantFrom<Json>(true, false, null, [], {}, [''], { kind: 'command' }),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'Upper', 'a b', 'x', 'kind', 'expect', '../x'), fc.string({ maxLength: 8 }));
const op = fc.record({ pick: fc.nat(), kind: fc.constantFrom('delete', 'replace', 'replace', 'addKey', 'renameKey'), value, key });

function mutate(doc: Json, ops: { pick: number; kind: string; value: Json; key: string }[]): Json {
  for (const o of ops) {
    const all = paths(doc).filter((p) => p.length > 0);
    if (all.length === 0) break;
    const p = all[o.pick % all.length]!;
    const parent = p.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k]!, doc) as Record<string, Json> | Json[];
    const last = p.at(-1)!;
    const target = (parent as Record<string, Json>)[last]!;
    if (o.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last as string];
    } else if (o.kind === 'replace') {
      if (Array.isArray(parent)) parent[last as number] = o.value;
      else own(parent, last as string, o.value);
    } else if (o.kind === 'addKey' && target && typeof target === 'object' && !Array.isArray(target)) {
      own(target, o.key, o.value);
    } else if (o.kind === 'renameKey' && !Array.isArray(parent)) {
      delete parent[last as string];
      own(parent, o.key, target);
    }
  }
  return doc;
}

type Outcome = 'accepted' | 'refused';

/** What an accepted rig must be; returns the first way it is not. */
async function unsupported(rig: Rig): Promise<string | undefined> {
  if (Object.keys(Object.prototype).length || ({} as Record<string, unknown>).polluted !== undefined) return 'Object.prototype was written to';
  const name = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
  const images = [...Object.entries(rig.images), ...rig.boards.flatMap((b) => Object.entries(b.images ?? {}))];
  for (const [k] of images) if (!name.test(k)) return `image key ${JSON.stringify(k)} accepted`;
  for (const [i, b] of rig.boards.entries()) {
    const at = `/boards/${i}`;
    for (const k of Object.keys(b.tags ?? {})) if (!/^[a-z][a-z0-9_-]*$/.test(k)) return `${at}/tags: key ${JSON.stringify(k)} accepted`;
    const regexes = [b.commit && 'expect' in b.commit ? b.commit.expect : undefined, 'addressFrom' in b.transport ? b.transport.addressFrom : undefined, 'progress' in b.transport ? b.transport.progress : undefined, 'onPattern' in b.power ? b.power.onPattern : undefined];
    for (const r of regexes) {
      if (r === undefined) continue;
      try {
        new RegExp(r);
      } catch {
        return `${at}: regex ${JSON.stringify(r)} accepted`;
      }
    }
    const timeouts = JSON.stringify(b).match(/"(?:\w*[tT]imeout\w*|stallMs)":\d+(?:\.\d+)?(?:e\+?\d+)?/g) ?? [];
    for (const t of timeouts) if (Number(t.split(':')[1]) > 2 ** 31 - 1) return `${at}: ${t} accepted (beyond setTimeout)`;
    if (b.commit?.kind === 'console-command' && !b.commit.command.trim()) return `${at}/commit/command: empty command accepted`;
    for (const p of [b.console.port, 'port' in b.power && typeof b.power.port === 'object' ? b.power.port : undefined]) {
      if (p && 'byId' in p && (p.byId.startsWith('/') || !p.byId.trim())) return `${at}: byId ${JSON.stringify(p.byId)} accepted`;
      if (p && 'byPath' in p && (p.byPath.startsWith('/') || !p.byPath.trim())) return `${at}: byPath ${JSON.stringify(p.byPath)} accepted`;
    }
    if (b.sim) {
      const { slotSize, sectorSize } = b.sim;
      if (slotSize !== undefined && sectorSize !== undefined && slotSize < sectorSize) return `${at}/sim: slot ${slotSize} < sector ${sectorSize} accepted`;
      try {
        await simStack(b.stack, b.name);
        await loadImages(rig, b);
      } catch (e) {
        return `${at}: accepted, but its images cannot be built: ${(e as Error).message.split('\n')[0]}`;
      }
    }
  }
  return undefined;
}

/** One case: its outcome, or throws (a crash, or an acceptance the input does not support). */
export async function rigCase(s: number, ops: Parameters<typeof mutate>[1]): Promise<Outcome> {
  const doc = mutate(structuredClone(seeds[s]!.data) as Json, ops);
  // Through JSON text, as loadRig reads it: "__proto__" arrives as an own key.
  const input = JSON.parse(JSON.stringify(doc)) as unknown;
  let rig: Rig;
  try {
    rig = await validateRigWithImages(input, seeds[s]!.file);
  } catch (e) {
    if (!(e instanceof RigError)) throw new Error(`crash: ${(e as Error).stack}`);
    assert.ok(e.problems.length > 0);
    for (const p of e.problems) {
      assert.match(p.pointer, /^(\/[^/]*)*$/, `pointer ${p.pointer}`);
      assert.ok(p.message.trim().length > 0);
    }
    assert.ok(e.message.startsWith(seeds[s]!.file));
    return 'refused';
  }
  const why = await unsupported(rig);
  assert.equal(why, undefined, `accepted a rig the harness cannot run: ${why}`);
  return 'accepted';
}

export const rigArbitrary = fc.tuple(fc.nat(seeds.length - 1), fc.array(op, { minLength: 1, maxLength: 3 }));

test(`rig files, ${RUNS} mutations: refused with pointers, or accepted and runnable; never a crash`, { timeout: 600_000 }, async () => {
  const tally: Record<Outcome, number> = { accepted: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(rigArbitrary, async ([s, ops]) => {
      tally[await rigCase(s, ops)]++;
    }),
    { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261206), endOnFailure: true },
  );
  process.stdout.write(`# rig fuzz: ${RUNS} cases: ${tally.accepted} accepted, ${tally.refused} refused, 0 crashes, 0 wrong acceptances\n`);
  assert.ok(tally.refused > 0 && tally.accepted > 0, 'the mutations reach both outcomes');
});
