// Loads and validates a rig file. Reports *every* problem at once, each with the file, the JSON
// pointer and what was expected, so a broken rig file is fixed in one edit, not one per run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, TypeCompiler, Value, type TSchema } from '../typebox.ts';
import { rigSchema, type BoardConfig, type ImageSpec } from './schema.ts';
import { keyProblems, valueProblems } from './checks.ts';
import { unbuildableImages } from './buildable.ts';
import { fillAcks } from './acks.ts';
import { withDefaults } from './defaults.ts';

export interface RigProblem {
  pointer: string;
  message: string;
}

export class RigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: RigProblem[],
  ) {
    super(
      problems.length === 1 && problems[0]!.pointer === '' && problems[0]!.message.startsWith('cannot read')
        ? `${file}: ${problems[0]!.message}`
        : `${file}: invalid rig file\n` + problems.map((p) => `  ${p.pointer || '/'}: ${p.message}`).join('\n'),
    );
    this.name = 'RigError';
  }
}

type RigData = import('./schema.ts').RigConfig;

export interface Rig extends RigData {
  /** Absolute path of the rig file; image files resolve relative to it. */
  file: string;
}

/**
 * The rig file, valid, with its defaults: every check but building the simulated boards' images,
 * which loads their stacks (loadRigWithImages). Enough where the rig was checked for this run
 * already: a Playwright worker finding its project and board.
 */
export function loadRig(file: string): Rig {
  const abs = path.resolve(file);
  return validateRig(readRigFile(abs), abs);
}

/** The rig file fully checked, its simulated images built (harness/rig/buildable.ts): every problem at once. */
export async function loadRigWithImages(file: string): Promise<Rig> {
  const abs = path.resolve(file);
  return validateRigWithImages(readRigFile(abs), abs);
}

function readRigFile(abs: string): unknown {
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new RigError(abs, [{ pointer: '', message: `cannot read the rig file: ${why}` }]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RigError(abs, [{ pointer: '', message: `not valid JSON: ${(e as Error).message}` }]);
  }
}

/** A valid rig with the schema's defaults filled in (all checks but building images: loadRig says why). */
export function validateRig(data: unknown, file: string): Rig {
  const { problems } = rigProblems(data);
  return withDefaultsOrFail(data, file, problems);
}

/** validateRig, and the simulated boards' images built by their stacks. */
export async function validateRigWithImages(data: unknown, file: string): Promise<Rig> {
  const { problems, typed } = rigProblems(data);
  if (typed) problems.push(...(await unbuildableImages(data as RigData)));
  return withDefaultsOrFail(data, file, problems);
}

/** Keys and schema, then, for data the schema accepts (`typed`), what it cannot say. */
function rigProblems(data: unknown): { problems: RigProblem[]; typed: boolean } {
  // A bad record key is said once, by keyProblems, with its fix; not again as an unknown field.
  const keys = keyProblems(data);
  const keyed = new Set(keys.map((p) => p.pointer));
  const problems = [...keys, ...schemaProblems(rigSchema(), data).filter((p) => !keyed.has(p.pointer))];
  const typed = problems.length === 0;
  if (typed) problems.push(...semanticProblems(data as RigData), ...valueProblems(data as RigData));
  return { problems, typed };
}

/** The one place defaults are applied. */
function withDefaultsOrFail(data: unknown, file: string, problems: RigProblem[]): Rig {
  if (problems.length) throw new RigError(file, problems);
  // Defaults first, then what a stack fills in (acks.ts).
  const rig = withDefaults(rigSchema(), data) as RigData;
  rig.boards.forEach((b, i) => fillAcks(b, `/boards/${i}`, problems));
  if (problems.length) throw new RigError(file, problems);
  return { ...rig, file };
}

/** Schema errors, with union errors narrowed to the member the user evidently meant (fault plans use it too). */
const compiled = new WeakMap<TSchema, ReturnType<typeof TypeCompiler.Compile>>();

export function schemaProblems(schema: TSchema, data: unknown, prefix = ''): RigProblem[] {
  // The compiled check is several times faster; the slower walk only runs to describe errors.
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  if (check.Check(data)) return [];
  const out: RigProblem[] = [];
  const seen = new Set<string>();
  for (const err of Value.Errors(schema, data)) {
    const pointer = prefix + err.path;
    // A missing field yields one error per check on it; "required" says it all.
    if (err.value === undefined && err.message !== 'Expected required property') continue;
    if (err.schema[Kind] === 'Union' && isObject(err.value)) {
      out.push(...unionProblems(err.schema.anyOf as TSchema[], err.value, pointer));
    } else if (err.message.startsWith('Expected union value') && !isObject(err.value)) {
      out.push({ pointer, message: `expected one of: ${describeUnion(err.schema.anyOf as TSchema[])}` });
    } else if (!seen.has(`${pointer}\0${err.message}`)) {
      seen.add(`${pointer}\0${err.message}`);
      out.push({ pointer, message: refine(err.message, err.schema) });
    }
  }
  return dedupe(out);
}

/** The literal a union member fixes for its `kind` field, if any. */
const kindOf = (m: TSchema): unknown => (m.properties as Record<string, TSchema> | undefined)?.kind?.const as unknown;

function unionProblems(members: TSchema[], value: Record<string, unknown>, pointer: string): RigProblem[] {
  // A `kind` field names the member outright; otherwise pick the member sharing the most keys.
  const byKind = members.find((m) => kindOf(m) !== undefined && kindOf(m) === value.kind);
  if ('kind' in value && !byKind) {
    return [{ pointer: `${pointer}/kind`, message: `unknown kind ${JSON.stringify(value.kind)}; expected one of: ${describeUnion(members)}` }];
  }
  const keys = Object.keys(value);
  const best =
    byKind ??
    [...members].sort(
      (a, b) => overlap(b, keys) - overlap(a, keys),
    )[0]!;
  if (!byKind && overlap(best, keys) === 0) {
    return [{ pointer, message: `expected one of: ${describeUnion(members)}` }];
  }
  return schemaProblems(best, value, pointer);
}

const overlap = (m: TSchema, keys: string[]) => keys.filter((k) => k in (m.properties ?? {})).length;

function describeUnion(members: TSchema[]): string {
  return members
    .map((m) => {
      if (m.const !== undefined) return JSON.stringify(m.const);
      const kind = kindOf(m);
      return typeof kind === 'string' ? kind : `{${Object.keys((m.properties ?? {}) as object).join(', ')}}`;
    })
    .join(' | ');
}

function refine(message: string, schema: TSchema): string {
  if (message === 'Unexpected property') return 'unknown field (not allowed here)';
  if (message === 'Expected required property') return `missing required field${schema.description ? ` (${schema.description})` : ''}`;
  if (schema.pattern && message.startsWith('Expected string to match')) return `${message} (${schema.description ?? ''})`.replace(' ()', '');
  return message;
}

function semanticProblems(rig: RigData): RigProblem[] {
  const out: RigProblem[] = [];
  const seen = new Set<string>();
  rig.boards.forEach((b: BoardConfig, i) => {
    const at = `/boards/${i}`;
    if (seen.has(b.name)) out.push({ pointer: `${at}/name`, message: `duplicate board name ${JSON.stringify(b.name)}` });
    seen.add(b.name);
    const isSim = b.sim !== undefined;
    if ('sim' in b.console.port && !isSim) out.push({ pointer: `${at}/console/port`, message: 'a sim console needs a "sim" section on the board' });
    if (b.power.kind === 'sim' && !isSim) out.push({ pointer: `${at}/power/kind`, message: 'power kind "sim" needs a "sim" section on the board' });
    if (b.install.kind === 'sim-flash' && !isSim) out.push({ pointer: `${at}/install/kind`, message: 'install kind "sim-flash" needs a "sim" section on the board' });
    // Only what the promises model: a build option quietly ignored would pass scenarios it should not.
    if (b.firmware?.rollback !== undefined && b.stack !== 'esp-idf') {
      out.push({ pointer: `${at}/firmware/rollback`, message: `modelled for esp-idf only (this board's stack is ${b.stack})` });
    }
    if (b.firmware?.signed !== undefined && b.stack !== 'esp8266-arduino') {
      out.push({ pointer: `${at}/firmware/signed`, message: `modelled for esp8266-arduino only (this board's stack is ${b.stack})` });
    }
    for (const [name, img] of Object.entries(b.images ?? {})) out.push(...imageProblems(img, `${at}/images/${name}`, isSim));
    if (!isSim) for (const [name, img] of Object.entries(rig.images)) if (!img.file && !b.images?.[name]) {
      out.push({ pointer: `/images/${name}`, message: `board ${b.name} is real hardware and needs a "file" for image ${name}` });
    }
  });
  for (const [name, img] of Object.entries(rig.images)) out.push(...imageProblems(img, `/images/${name}`, true));
  return out;
}

function imageProblems(img: ImageSpec, pointer: string, simAllowed: boolean): RigProblem[] {
  if (!img.file && !img.sim) return [{ pointer, message: 'an image needs "file" (a built image) or "sim" (built by the simulator)' }];
  if (img.sim && !simAllowed) return [{ pointer: `${pointer}/sim`, message: 'a "sim" image only runs on a simulated board' }];
  return [];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Linear: a 60,000-board rig with a problem per board is reported in seconds, not minutes. */
function dedupe(ps: RigProblem[]): RigProblem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.pointer}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
