// The architecture rules are lint rules: a forbidden import fails `npm run lint`. Each probe is
// linted with the repository's own eslint.config.mjs as the text of a real file in that layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Only the import rule is probed: without the type-aware rules and their TypeScript program (10 s of
// CPU here) the same config answers in a fraction of it.
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: [{ languageOptions: { parserOptions: { projectService: false } } }],
});

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('the simulator may not import the harness client codecs (nor seams, nor parsers)', async () => {
  const got = await restricted('harness/sim/transports/session.ts', "import { crc32 } from '../../ota/proto/mos.ts';\nexport const c = crc32('x');\n");
  assert.equal(got.length, 1);
  assert.match(got[0]!, /simulator is written apart from the harness/);
  assert.equal((await restricted('harness/sim/flash.ts', "import type { Boot } from '../bootlog/boot.ts';\nexport type B = Boot;\n")).length, 1);
  assert.equal((await restricted('harness/sim/flash.ts', "import type { Console } from '../console/console.ts';\nexport type C = Console;\n")).length, 1);
});

test('parsers and seams may not import the simulator; its own seam adapters and the flash cross-check may', async () => {
  const probe = "import type { NorFlash } from '../sim/flash.ts';\nexport type F = NorFlash;\n";
  assert.equal((await restricted('harness/bootlog/boot.ts', probe)).length, 1);
  assert.equal((await restricted('harness/ota/transport.ts', probe)).length, 1);
  assert.equal((await restricted('harness/power/power-switch.ts', probe)).length, 1);
  assert.deepEqual(await restricted('harness/fixtures/to-boot.ts', probe), []);
  assert.deepEqual(await restricted('harness/console/sim-binding.ts', probe), []);
});

test('allowed imports stay allowed (the rules are not blanket bans)', async () => {
  assert.deepEqual(await restricted('harness/sim/flash.ts', "import type { SimConfig } from '../rig/schema.ts';\nexport type S = SimConfig;\n"), []);
  assert.deepEqual(await restricted('harness/ota/transport.ts', "import type { Console } from '../console/console.ts';\nexport type C = Console;\n"), []);
});
