// `--kinds FILE` on the rig commands: a repository's own kinds, the same object its
// playwright.config.ts gives otaHilConfig({ kinds }), exported by FILE as default or as `kinds`,
// so `ota-hil rig validate` and `ota-hil rig schema` know them as the runner does. A TypeScript
// FILE needs a loader: Node's own type stripping (22.18 and later), else the project's tsx.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerKinds, type UserKinds } from '../rig/extend.ts';

const CATEGORIES = ['power', 'transport', 'install', 'commit'];

export class KindsFileError extends Error {}

async function importFile(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path.resolve(file)).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  }
  let loader: string;
  try {
    // tsx's main export is its loader (as in node --import tsx): importing it registers it.
    loader = createRequire(path.resolve('package.json')).resolve('tsx');
  } catch {
    throw new KindsFileError(`${file} is TypeScript, which this Node (${process.version}) cannot load by itself: npm i -D tsx, or use Node 22.18 or later`);
  }
  await import(pathToFileURL(loader).href);
  // Another URL: the failed load of this one stays cached.
  return (await import(`${url}?tsx`)) as Record<string, unknown>;
}

/** Load FILE and register its kinds; a file that exports none, or something else, is named. */
export async function loadKindsFile(file: string): Promise<UserKinds> {
  let mod: Record<string, unknown>;
  try {
    mod = await importFile(file);
  } catch (e) {
    if (e instanceof KindsFileError) throw e;
    throw new KindsFileError(`${file}: cannot load it: ${(e as Error).message}`);
  }
  const pick = (m: Record<string, unknown>) => m.kinds ?? m.default;
  let kinds = pick(mod);
  // Compiled to CommonJS (a project without "type": "module"), the exports arrive wrapped once more.
  if (typeof kinds === 'object' && kinds !== null && '__esModule' in kinds) kinds = pick(kinds);
  const bad = (why: string) => new KindsFileError(`${file}: ${why}; export your kinds by category, as otaHilConfig takes them: export default { power: [myPdu] }`);
  if (typeof kinds !== 'object' || kinds === null) throw bad('exports no kinds (default or `kinds`)');
  for (const [category, list] of Object.entries(kinds)) {
    if (!CATEGORIES.includes(category)) throw bad(`"${category}" is no category (${CATEGORIES.join(', ')})`);
    if (!Array.isArray(list) || list.some((k) => typeof (k as { kind?: unknown })?.kind !== 'string')) throw bad(`"${category}" is not a list of kinds made by defineKind`);
  }
  try {
    registerKinds(kinds);
  } catch (e) {
    throw new KindsFileError(`${file}: ${(e as Error).message}`);
  }
  return kinds;
}
