// Which board each seeded bug runs on: the first of its stack built so the bug can show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrixJobs } from '../../harness/faults/mutant-matrix.ts';

test('each mutant goes to the first board of its stack whose build can show it; those boards get a correct-stack row', async () => {
  const jobs = await matrixJobs('rigs/sim.json');
  const where = (mutant: string | null, stack: string) => jobs.filter((j) => j.mutant === mutant && j.stack === stack).map((j) => j.board);
  assert.deepEqual(where('no-signature-check', 'esp8266-arduino'), ['esp8266-1']);
  assert.deepEqual(where('no-md5-check', 'esp8266-arduino'), ['esp8266-2'], 'an unsigned build: the MD5 is its only check');
  assert.deepEqual(where('command-cleared-before-copy', 'esp8266-arduino'), ['esp8266-1']);
  assert.deepEqual(where(null, 'esp8266-arduino'), ['esp8266-1', 'esp8266-2']);
  // esp-idf-2 brings no mutant of its own: its correctness is the default suite's to show.
  assert.deepEqual(where(null, 'esp-idf'), ['esp-idf-1']);
  const mutants = jobs.filter((j) => j.mutant);
  assert.equal(new Set(mutants.map((j) => `${j.stack}/${j.mutant}`)).size, mutants.length, 'every mutant once');
  assert.deepEqual((await matrixJobs('rigs/sim.json', { mutants: ['no-md5-check'] })).map((j) => [j.board, j.mutant]), [['esp8266-2', 'no-md5-check']]);
});
