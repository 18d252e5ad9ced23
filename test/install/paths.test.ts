// Versions and names come from rig files and build systems: in a file path they are one name,
// never a way out of the folder the image is written to.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createInstaller } from '../../harness/install/registry.ts';
import { imageFileName } from '../../harness/fixtures/temp-dirs.ts';
import type { FirmwareImage } from '../../harness/fixtures/images.ts';

const image = (version: string): FirmwareImage => ({ name: 'candidate', version, bytes: new Uint8Array(16), corrupted: () => image(version) });

test('the command installer writes an image with version "1.0/../../x" inside its own temp folder', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-paths-'));
  try {
    const out = path.join(dir, 'argv');
    // The tool records the {image} path it was given, and whether that file existed.
    const installer = createInstaller(
      { kind: 'command', command: ['sh', '-c', 'printf "%s\\n" "$1" > "$2"; test -f "$1"', 'sh', '{image}', out] },
      { board: 'esp32-a', port: '/dev/unused', log: () => undefined },
    );
    await installer.install(image('1.0/../../x'));
    const given = readFileSync(out, 'utf8').trim();
    assert.match(path.basename(path.dirname(given)), new RegExp(`^ota-hil-install-${process.pid}-esp32-a-`), given);
    assert.equal(path.dirname(path.dirname(given)), tmpdir());
    assert.equal(path.basename(given), 'candidate-1.0_.._.._x.bin');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('imageFileName keeps every name a plain file name', () => {
  for (const v of ['1.0/../../x', '..', '../..', 'a\\b', 'v1\u0000', ' 1 2 ', '\u202e1.0']) {
    const n = imageFileName({ name: 'img', version: v });
    assert.equal(path.basename(n), n, v);
    assert.ok(!n.startsWith('.'), v);
    assert.match(n, /^[A-Za-z0-9._+-]+$/, v);
  }
  assert.equal(imageFileName({ name: '..', version: '1' }), '_-1.bin');
});
