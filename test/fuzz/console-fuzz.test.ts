// Property-based fuzzing of console streams (fast-check): real boot logs from the corpus, mutated
// line by line and byte by byte, and plain noise, go through what the harness does with console
// bytes (decode, split, every stack's parser, detection, summary). The contract, not the parsers'
// insides: nothing throws; a boot names a version only if that version is in the input (a label
// such as "mongoose-os 2.19.0" only if its number is); noise with no boot line in it yields no
// slot and no version; evidence lines exist. Seeded: a failure prints its seed and path.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { BOOT_EVENTS } from '../../harness/bootlog/boot.ts';
import { decodeConsole, splitLines } from '../../harness/bootlog/lines.ts';
import { detectStack, parsers, stackNames, summarize } from '../../harness/bootlog/registry.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const CORPUS = fileURLToPath(new URL('../bootlog/corpus', import.meta.url));
const logs: Uint8Array[] = existsSync(CORPUS)
  ? readdirSync(CORPUS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(path.join(CORPUS, d.name)).filter((f) => f.endsWith('.log')).map((f) => new Uint8Array(readFileSync(path.join(CORPUS, d.name, f)))))
  : [];

const bytes = fc.uint8Array({ maxLength: 64 });
const text = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('version 1.2.3', 'Jumping to the first image slot', 'rst:0x1 (POWERON_RESET)', '\u001b[0m', 'I (1234) boot: Loaded app from partition at offset 0x10000', '\r', '\u0000\u0000', 'Booting Zephyr OS'));
const op = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), keep: fc.nat(120) }),
  fc.record({ kind: fc.constant('insertText' as const), at: fc.nat(), text }),
  fc.record({ kind: fc.constant('insertBytes' as const), at: fc.nat(), bytes }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Mutations on the byte stream, by line where a line is meant (a line is its bytes up to \n). */
function mutate(seed: Uint8Array, ops: Op[]): Uint8Array {
  let lines: Uint8Array[] = [];
  for (let i = 0, start = 0; i <= seed.length; i++) {
    if (i === seed.length || seed[i] === 0x0a) {
      if (i > start || i < seed.length) lines.push(seed.subarray(start, Math.min(i + 1, seed.length)));
      start = i + 1;
    }
  }
  const enc = new TextEncoder();
  for (const o of ops) {
    const n = lines.length;
    const at = n ? o.at % n : 0;
    if (o.kind === 'delete' && n) lines.splice(at, 1);
    else if (o.kind === 'duplicate' && n) lines.splice(at, 0, lines[at]!);
    else if (o.kind === 'truncate' && n) lines[at] = lines[at]!.subarray(0, o.keep);
    else if (o.kind === 'insertText') lines.splice(at, 0, enc.encode(`${o.text}\n`));
    else if (o.kind === 'insertBytes') lines.splice(at, 0, o.bytes);
    else if (o.kind === 'swap' && n) [lines[at], lines[o.with % n]] = [lines[o.with % n]!, lines[at]!];
    else if (o.kind === 'flip' && n && lines[at]!.length) {
      const copy = lines[at]!.slice();
      copy[o.at % copy.length]! ^= o.mask;
      lines[at] = copy;
    }
  }
  lines = lines.filter(Boolean);
  const out = new Uint8Array(lines.reduce((s, l) => s + l.length, 0));
  let p = 0;
  for (const l of lines) out.set(l, (p += l.length) - l.length);
  return out;
}

/** Throws unless every stack's view of these bytes keeps the contract. */
export function consoleCase(input: Uint8Array, noise = false): void {
  const decoded = decodeConsole(input);
  const lines = splitLines(decoded);
  for (const stack of stackNames) {
    const boots = parsers[stack].parse(lines);
    for (const b of boots) {
      const where = `${stack} boot ${b.index}`;
      assert.ok((BOOT_EVENTS as readonly string[]).includes(b.event), `${where}: event ${b.event}`);
      if (b.version !== null) {
        const core = /\d+(?:\.\d+)+\S*/.exec(b.version)?.[0] ?? b.version;
        assert.ok(decoded.includes(core), `${where}: version ${JSON.stringify(b.version)} is not in the input`);
      }
      if (noise) assert.ok(b.slot === null || b.slot === 'none', `${where}: slot ${b.slot} read from noise`);
      for (const e of b.evidence) assert.ok(Number.isInteger(e) && e >= 0 && e < lines.length, `${where}: evidence line ${e} of ${lines.length}`);
    }
    const s = summarize(stack, lines);
    assert.equal(s.boots.length, boots.length);
  }
  const detected = detectStack(lines);
  assert.ok(detected === null || stackNames.includes(detected));
}

/** [bytes, whether they are noise (no line any stack prints)]. */
export const consoleArbitrary: fc.Arbitrary<[Uint8Array, boolean]> = fc.oneof(
  { weight: 3, arbitrary: logs.length ? fc.tuple(fc.constantFrom(...logs), fc.array(op, { minLength: 1, maxLength: 8 })).map(([l, ops]): [Uint8Array, boolean] => [mutate(l, ops), false]) : bytes.map((b): [Uint8Array, boolean] => [b, true]) },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 30 }).map((ls): [Uint8Array, boolean] => [new TextEncoder().encode(ls.join('\n')), false]) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b): [Uint8Array, boolean] => [b, true]) },
  { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 60 }), { maxLength: 30 }).map((ls): [Uint8Array, boolean] => [new TextEncoder().encode(ls.join('\r\n')), true]) },
);

test(`console streams, ${RUNS} cases (mutated corpus logs, noise): no parser throws, no verdict the input lacks`, { timeout: 600_000 }, () => {
  fc.assert(
    fc.property(consoleArbitrary, ([input, noise]) => consoleCase(input, noise)),
    { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261206), endOnFailure: true },
  );
  process.stdout.write(`# console fuzz: ${RUNS} cases from ${logs.length} corpus logs and noise, every stack's parser: 0 throws, 0 unsupported verdicts\n`);
});
