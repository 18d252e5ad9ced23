// withDefaults (harness/rig/defaults.ts) must give what TypeBox's Value.Default gives: compared on
// random values of the rig schema (every registered kind, optional fields in and out, so every
// default), of a schema built to make defaults choose the union member, and on values that are
// not valid at all; then validateRig's output against Value.Default's on the project's rigs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { Kind, Type, Value, type TSchema } from '../../harness/typebox.ts';
import { withDefaults } from '../../harness/rig/defaults.ts';
import { rigSchema } from '../../harness/rig/schema.ts';
import { validateRig } from '../../harness/rig/load.ts';
import { fillAcks } from '../../harness/rig/acks.ts';
import type { RigConfig } from '../../harness/rig/schema.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Strings for `pattern` fields: the first that matches is used. */
const SAMPLES = ['b1', 'x', '1-1', '0a1F', '2.1.0', '127.0.0.1:8080', '[::1]:80', 'mqtt://h:1883', 'arch'];

/** Random values of `schema`: optional fields present or not, union members all reachable; `odd` puts a stray JSON value anywhere. */
function arb(schema: TSchema, odd = false): fc.Arbitrary<unknown> {
  const a = exact(schema, odd);
  return odd ? fc.oneof({ weight: 8, arbitrary: a }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }) : a;
}

function exact(s: TSchema, odd: boolean): fc.Arbitrary<unknown> {
  switch (s[Kind]) {
    case 'Object': {
      const props = s.properties as Record<string, TSchema>;
      const model = Object.fromEntries(Object.entries(props).map(([k, p]) => [k, arb(p, odd)]));
      const known = fc.record(model, { requiredKeys: (s.required ?? []) as string[] });
      if (!(s.additionalProperties && typeof s.additionalProperties === 'object')) return known;
      const extra = fc.dictionary(fc.constantFrom('e1', 'e2'), arb(s.additionalProperties as TSchema, odd), { maxKeys: 2 });
      return fc.tuple(known, extra).map(([k, e]) => ({ ...e, ...k }));
    }
    case 'Union':
      return fc.oneof(...(s.anyOf as TSchema[]).map((m) => arb(m, odd)));
    case 'Array':
      return fc.array(arb(s.items as TSchema, odd), { minLength: (s.minItems as number | undefined) ?? 0, maxLength: ((s.minItems as number | undefined) ?? 0) + 2 });
    case 'Record': {
      const [pattern, entry] = Object.entries(s.patternProperties as Record<string, TSchema>)[0]!;
      return fc.dictionary(fc.constantFrom(...SAMPLES.filter((k) => new RegExp(pattern).test(k))), arb(entry, odd), { maxKeys: 2 });
    }
    case 'Literal':
      return fc.constant(s.const);
    case 'String': {
      if (s.pattern) {
        const fit = SAMPLES.find((x) => new RegExp(s.pattern as string).test(x));
        assert.ok(fit, `no sample string matches ${s.pattern as string}: add one to SAMPLES`);
        return fc.constant(fit);
      }
      return fc.string({ minLength: (s.minLength as number | undefined) ?? 0, maxLength: Math.min((s.maxLength as number | undefined) ?? 6, 6) });
    }
    case 'Integer':
    case 'Number': {
      const min = (s.minimum as number | undefined) ?? ((s.exclusiveMinimum as number | undefined) ?? -1) + 1;
      return fc.integer({ min, max: (s.maximum as number | undefined) ?? min + 1000 });
    }
    case 'Boolean':
      return fc.boolean();
    default:
      throw new Error(`no generator for a ${String(s[Kind])} schema`);
  }
}

/** Both paths on their own copies: equal values, with their keys in the same order. */
function same(schema: TSchema, v: unknown): void {
  const expected: unknown = Value.Default(schema, structuredClone(v));
  const before = structuredClone(v);
  const got = withDefaults(schema, v);
  assert.deepStrictEqual(structuredClone(v), before, 'the value given is left as it was');
  assert.deepStrictEqual(got, expected);
  assert.equal(JSON.stringify(got), JSON.stringify(expected));
}

test('random rigs of every registered kind: defaults as Value.Default fills them in, and the result passes the schema', () => {
  const schema = rigSchema();
  const filled = { n: 0 };
  fc.assert(
    fc.property(arb(schema), (rig) => {
      same(schema, rig);
      const out = withDefaults(schema, rig);
      assert.ok(Value.Check(schema, out), JSON.stringify([...Value.Errors(schema, out)].slice(0, 3)));
      if (JSON.stringify(out) !== JSON.stringify(rig)) filled.n++;
    }),
    { numRuns: RUNS },
  );
  assert.ok(filled.n > RUNS / 2, `defaults changed only ${filled.n} of ${RUNS} rigs: the generator misses them`);
});

test('values that are not valid rigs come out as Value.Default leaves them', () => {
  fc.assert(fc.property(arb(rigSchema(), true), (rig) => same(rigSchema(), rig)), { numRuns: RUNS });
});

// Defaults that pick the union member, an object default under an object's own fields, a function
// default, record entries with and without their own default, additional properties with one.
const Picky = Type.Object({
  obj: Type.Optional(Type.Object({ a: Type.Optional(Type.Integer({ default: 1 })), b: Type.Optional(Type.String()) }, { default: { b: 'x' } })),
  pick: Type.Optional(
    Type.Union(
      [
        Type.Object({ x: Type.Optional(Type.Integer({ default: 5 })), y: Type.Optional(Type.Literal(1)) }, { additionalProperties: false }),
        Type.Object({ y: Type.Integer(), z: Type.Optional(Type.String({ default: 'z' })) }),
      ],
      { default: {} },
    ),
  ),
  kinds: Type.Array(
    Type.Union([
      Type.Object({ kind: Type.Literal('a'), n: Type.Optional(Type.Integer({ default: 2 })) }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('b'), inner: Type.Optional(Type.Union([Type.Literal('p'), Type.Literal('q')], { default: 'q' })) }),
      Type.Object({ kind: Type.Optional(Type.Literal('c')), m: Type.Optional(Type.Integer({ default: 9 })) }),
      Type.Object({ kind: Type.Literal('d', { default: 'd' }), k: Type.Optional(Type.Boolean({ default: false })) }),
    ]),
  ),
  later: Type.Optional(Type.Integer({ default: () => 7 })),
  rec: Type.Optional(Type.Record(Type.String(), Type.Integer({ default: 3 }))),
  recObj: Type.Optional(Type.Record(Type.String(), Type.Object({ d: Type.Optional(Type.Integer({ default: 2 })) }))),
  extra: Type.Optional(Type.Object({ k: Type.Optional(Type.Integer({ default: 0 })) }, { additionalProperties: Type.Object({ e: Type.Optional(Type.Boolean({ default: true })) }, { default: {} }) })),
});

test('a schema whose defaults choose the union member: as Value.Default, valid values and stray ones', () => {
  fc.assert(fc.property(arb(Picky), (v) => same(Picky, v)), { numRuns: RUNS });
  fc.assert(fc.property(arb(Picky, true), (v) => same(Picky, v)), { numRuns: RUNS });
  same(Picky, { kinds: [{ kind: 'c' }, {}, { kind: 'a' }, { kind: 'b' }, { k: true }], pick: { y: 1 } });
});

test('a schema with an intersect is left to Value.Default itself', () => {
  const S = Type.Object({ both: Type.Intersect([Type.Object({ a: Type.Optional(Type.Integer({ default: 1 })) }), Type.Object({ b: Type.Optional(Type.String({ default: 'b' })) })]) });
  same(S, { both: {} });
  assert.deepStrictEqual(withDefaults(S, { both: { a: 4 } }), { both: { a: 4, b: 'b' } });
});

test("validateRig's boards are Value.Default's, with the stacks' acknowledgements, for the project's rigs", () => {
  const files = ['rigs/sim.json', 'rigs/sim-pty.json', ...readdirSync('rigs/examples').filter((f) => f.endsWith('.json')).map((f) => `rigs/examples/${f}`)];
  for (const f of files) {
    const data = JSON.parse(readFileSync(f, 'utf8')) as unknown;
    const ref = Value.Default(rigSchema(), structuredClone(data)) as RigConfig;
    const { file, ...rig } = validateRig(data, f);
    assert.equal(file, f);
    ref.boards.forEach((b, i) => fillAcks(b, `/boards/${i}`, []));
    assert.deepStrictEqual(rig, ref, f);
    assert.equal(JSON.stringify(rig), JSON.stringify(ref), `${f}: keys in the same order`);
  }
});
