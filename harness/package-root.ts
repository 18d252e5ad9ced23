// Where this package is installed (its package.json), found upwards from this module: the same
// answer from the repository, from node_modules/ota-hil, or from a compiled copy inside it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function find(): { root: string; version: string } {
  for (let d = path.dirname(fileURLToPath(import.meta.url)); ; d = path.dirname(d)) {
    const f = path.join(d, 'package.json');
    if (existsSync(f)) {
      const p = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
      if (p.name === 'ota-hil') return { root: d, version: p.version ?? '0.0.0' };
    }
    if (path.dirname(d) === d) throw new Error(`ota-hil: no package.json named ota-hil above ${fileURLToPath(import.meta.url)}`);
  }
}

export const { root: PACKAGE_ROOT, version: PACKAGE_VERSION } = find();
