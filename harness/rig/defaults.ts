// A schema's defaults filled in with the result of TypeBox's Value.Default, from a plan made once
// per schema. Value.Default walks the whole schema for every value: it tries each union member on
// a clone, visits each object property twice (twice again in a nested object), through CommonJS
// export getters; a 60,000-board rig took ~25 s. The plan leaves out every part of the schema
// that holds no default and tries only the union members whose `kind` literal the value has.
// Schemas with references, intersects or tuples go to Value.Default itself.
// test/rig/defaults.test.ts compares the two on random values of the rig schema and others.
import { Kind, TypeCompiler, Value, type TSchema } from '../typebox.ts';

type Apply = (value: unknown) => unknown;
type Obj = Record<string, unknown>;

const plans = new WeakMap<TSchema, Apply>();

/** A copy of `value` with `schema`'s defaults filled in; `value` is left as it was. */
export function withDefaults(schema: TSchema, value: unknown): unknown {
  let apply = plans.get(schema);
  if (!apply) plans.set(schema, (apply = planOrFallback(schema)));
  // The plan changes its value in place, as Value.Default does.
  return apply(clone(value));
}

/** A kind of schema the plan does not cover. */
class Unplanned extends Error {}

function planOrFallback(schema: TSchema): Apply {
  try {
    return plan(schema) ?? ((v) => v);
  } catch (e) {
    if (!(e instanceof Unplanned)) throw e;
    return (v) => Value.Default(schema, v);
  }
}

/** undefined: no default anywhere in this part of the schema, so Value.Default leaves the value as it is. */
function plan(schema: TSchema): Apply | undefined {
  switch (schema[Kind]) {
    case 'Object':
      return planObject(schema);
    case 'Array':
      return planArray(schema);
    case 'Record':
      return planRecord(schema);
    case 'Union':
      return planUnion(schema);
    case 'Date':
    case 'Import':
    case 'Intersect':
    case 'Ref':
    case 'This':
    case 'Tuple':
      throw new Unplanned();
    default:
      return 'default' in schema ? (v) => orDefault(schema, v) : undefined;
  }
}

/** TypeBox's ValueOrDefault: the default when there is no value; an object default under an object value's own fields. */
function orDefault(schema: TSchema, value: unknown): unknown {
  if (!('default' in schema)) return value;
  const d: unknown = schema.default;
  const fresh: unknown = typeof d === 'function' ? (d as () => unknown)() : clone(d);
  return value === undefined ? fresh : isObject(value) && isObject(fresh) ? Object.assign(fresh, value) : value;
}

function planObject(schema: TSchema): Apply | undefined {
  const properties = schema.properties as Record<string, TSchema>;
  const known = Object.getOwnPropertyNames(properties);
  const props = known.flatMap((k) => {
    const p = plan(properties[k]!);
    return p ? [[k, p] as const] : [];
  });
  const extra = ownDefault(schema.additionalProperties) ? plan(schema.additionalProperties as TSchema) : undefined;
  if (!props.length && !extra && !('default' in schema)) return undefined;
  const knownSet = new Set(known);
  return (value) => {
    const d = orDefault(schema, value);
    if (!isObject(d)) return d;
    for (const [k, p] of props) {
      const v = p(d[k]);
      if (v !== undefined) d[k] = v;
    }
    if (extra) for (const k of Object.getOwnPropertyNames(d)) if (!knownSet.has(k)) d[k] = extra(d[k]);
    return d;
  };
}

function planArray(schema: TSchema): Apply | undefined {
  const item = plan(schema.items as TSchema);
  if (!item && !('default' in schema)) return undefined;
  const each = (a: unknown[]) => {
    if (item) for (let i = 0; i < a.length; i++) a[i] = item(a[i]);
    return a;
  };
  return (value) => {
    if (isArray(value)) return each(value);
    const d = orDefault(schema, value);
    return isArray(d) ? each(d) : d;
  };
}

function planRecord(schema: TSchema): Apply | undefined {
  // As Value.Default: a record's entries are visited only when their schema has a default of its own.
  const [pattern, entry] = Object.entries(schema.patternProperties as Record<string, TSchema>)[0]!;
  const each = ownDefault(entry) ? plan(entry) : undefined;
  const extra = ownDefault(schema.additionalProperties) ? plan(schema.additionalProperties as TSchema) : undefined;
  if (!each && !extra && !('default' in schema)) return undefined;
  const keyRe = new RegExp(pattern);
  return (value) => {
    const d = orDefault(schema, value);
    if (!isObject(d)) return d;
    if (each) for (const k of Object.getOwnPropertyNames(d)) if (keyRe.test(k)) d[k] = each(d[k]);
    if (extra) for (const k of Object.getOwnPropertyNames(d)) if (!keyRe.test(k)) d[k] = extra(d[k]);
    return d;
  };
}

function planUnion(schema: TSchema): Apply | undefined {
  const members = (schema.anyOf as TSchema[]).map((m) => ({ schema: m, apply: plan(m), literals: requiredLiterals(m) }));
  if (members.every((m) => !m.apply) && !('default' in schema)) return undefined;
  // As Value.Default: the first member that passes its check once its defaults are in.
  return (value) => {
    const d = orDefault(schema, value);
    for (const m of members) {
      if (!m.apply) {
        if (check(m.schema, d)) return d;
        continue;
      }
      // A member fixing `kind` (a literal with no default) cannot pass with another kind.
      if (isPlain(d) && m.literals.some(([k, c]) => d[k] !== c)) continue;
      const r = m.apply(clone(d));
      if (check(m.schema, r)) return r;
    }
    return d;
  };
}

/** The required fields an object schema (without a default of its own) fixes to a literal with no default. */
function requiredLiterals(schema: TSchema): (readonly [string, unknown])[] {
  if (schema[Kind] !== 'Object' || 'default' in schema) return [];
  const required = (schema.required ?? []) as string[];
  return Object.entries(schema.properties as Record<string, TSchema>)
    .filter(([k, p]) => required.includes(k) && p[Kind] === 'Literal' && !('default' in p))
    .map(([k, p]) => [k, p.const as unknown] as const);
}

/**
 * A copy of plain data, as structuredClone makes it (own enumerable fields; other objects are left
 * to it), ~4x faster; what Value.Default gets from Value.Clone for the rig's plain data too.
 */
function clone(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(clone);
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const o = v as Obj;
  const out: Obj = {};
  for (const k of Object.keys(o)) {
    // An own "__proto__" stays a field: assigned, it would set the copy's prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: clone(o[k]), enumerable: true, writable: true, configurable: true });
    else out[k] = clone(o[k]);
  }
  return out;
}

const checks = new WeakMap<TSchema, (v: unknown) => boolean>();

function check(schema: TSchema, value: unknown): boolean {
  let c = checks.get(schema);
  if (!c) {
    try {
      const compiled = TypeCompiler.Compile(schema);
      c = (v) => compiled.Check(v);
    } catch {
      c = (v) => Value.Check(schema, v);
    }
    checks.set(schema, c);
  }
  return c(value);
}

/** TypeBox's own tests: any object (arrays too); an array but not a typed one; a schema with a default of its own. */
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object';
const isArray = (v: unknown): v is unknown[] => Array.isArray(v) && !ArrayBuffer.isView(v);
const isPlain = (v: unknown): v is Obj => isObject(v) && !Array.isArray(v);
const ownDefault = (s: unknown): boolean => isObject(s) && typeof (s as Record<symbol, unknown>)[Kind] === 'string' && 'default' in s;
