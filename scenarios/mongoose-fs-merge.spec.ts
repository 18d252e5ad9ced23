import { test, expect, type Board } from '../harness/index.ts';

// Mongoose OS keeps a filesystem per slot and merges on the first boot of an update: files of the
// old filesystem that the new image lacks are copied over (device config such as conf9.json
// survives), files the image ships win. Files are read back over the console (FS.Get), as an
// operator would, never from the simulator.
const MONGOOSE = ['mongoose-os', 'rboot'];

async function rpc(board: Board, call: string): Promise<{ result?: unknown; error?: { message: string } }> {
  const from = board.console.lines.length;
  await board.console.send(call);
  const line = await board.console.expect(/^\{"id":\d+,"src":"[^"]*","(?:result|error)"/, { from, timeout: 10_000 });
  return JSON.parse(line.text) as { result?: unknown; error?: { message: string } };
}

async function putFile(board: Board, name: string, text: string): Promise<void> {
  const r = await rpc(board, `FS.Put ${JSON.stringify({ filename: name, data: Buffer.from(text).toString('base64') })}`);
  expect(r.error, `FS.Put ${name}`).toBeUndefined();
}

async function readFile(board: Board, name: string): Promise<string | null> {
  const r = await rpc(board, `FS.Get ${JSON.stringify({ filename: name, len: 65536 })}`);
  return r.error ? null : Buffer.from((r.result as { data: string }).data, 'base64').toString('utf8');
}

test('device config survives an update; files shipped in the candidate win', { tag: ['@mongoose-os', '@fs-merge'] }, async ({ board, images, report }) => {
  await report.notApplicable(!MONGOOSE.includes(board.stack), `${board.stack} has no per-slot filesystem merge (Mongoose OS only)`);
  await report.fault('none: filesystem merge on the first boot of an update');
  const deviceConfig = JSON.stringify({ wifi: { sta: { enable: true, ssid: `lab-${Date.now()}` } } });
  const stale = '{"stale": "defaults edited on the baseline"}';
  await board.install(images.baseline!);
  await putFile(board, 'conf9.json', deviceConfig);
  await putFile(board, 'conf0.json', stale); // the candidate ships its own conf0.json: it must win
  expect(await readFile(board, 'conf9.json')).toBe(deviceConfig);

  await board.ota.run(images.candidate!, { commit: 'withhold' });
  await expect(board).toBoot({ version: images.candidate!.version, event: 'trial' });
  expect(await readFile(board, 'conf9.json'), 'conf9.json carried over by the merge').toBe(deviceConfig);
  const shipped = await readFile(board, 'conf0.json');
  expect(shipped, 'conf0.json from the candidate, not the baseline copy').not.toBe(stale);
  const declared = { ...board.rig.images, ...board.config.images }.candidate?.sim?.files?.['conf0.json'];
  if (declared !== undefined) expect(shipped).toBe(declared);

  await board.commit();
  await board.power.cycle();
  await expect(board).toBoot({ version: images.candidate!.version, event: 'normal' });
  expect(await readFile(board, 'conf9.json'), 'conf9.json still there after the commit').toBe(deviceConfig);
});
