// The app's own announcements combined with the bootloader's evidence (rig board.app, --app-*).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAppPatterns, compileAppPatterns, withApp } from '../../harness/bootlog/app-announce.ts';
import { mcubootParser } from '../../harness/bootlog/mcuboot.ts';
import { log } from './helpers.ts';

const lines = log(`
  I: Starting bootloader
  I: Image index: 0, Swap type: test
  I: Bootloader chainload address offset: 0x20000
  I: Jumping to the first image slot
  [00:00:00.010,000] <inf> app: build 2024.05-rc2 up, bank B
  [00:00:01.000,000] <inf> app: image confirmed
`);

void test('a version pattern wins over a guess, a slot pattern fills a slot only where the bootloader named none', () => {
  const app = compileAppPatterns({ version: 'build (\\S+) up', slot: 'bank (?<slot>[AB])', confirmed: 'image confirmed' }, 'rig board x: /app');
  const [b] = withApp(mcubootParser, app).parse(lines);
  assert.equal(b?.version, '2024.05-rc2', 'no keyword "version" in the line: only the pattern finds it');
  assert.equal(b?.slot, 'primary', "the bootloader's evidence names the slot");
  assert.ok(b?.notes.some((n) => /app says it runs B/.test(n)));
  assert.ok(b?.notes.includes('app confirmed its image'));
  assert.equal(b?.event, 'trial', 'a confirmation after a trial boot does not change what the boot was');
  assert.equal(mcubootParser.parse(lines)[0]?.version, null, 'without patterns the build string is not a version');
});

void test('with no boot found, an announcing app is one boot; a silent one yields none; bad regexes are named', () => {
  const only = ['hello', 'fw 3.1.4 in slot 1'];
  const app = compileAppPatterns({ version: 'fw (\\S+)', slot: 'slot (\\d)' }, 'x: /app');
  assert.deepEqual(applyAppPatterns([], only, app).map((b) => [b.slot, b.event, b.version]), [['1', 'unknown', '3.1.4']]);
  assert.deepEqual(applyAppPatterns([], ['hello'], app), []);
  assert.throws(() => compileAppPatterns({ slot: '(' }, 'rig board b1: /app'), /rig board b1: \/app\/slot: not a regular expression/);
});
