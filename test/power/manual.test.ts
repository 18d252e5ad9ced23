// The manual driver: a real terminal (a pseudo-terminal from util-linux `script`) where the
// operator presses Enter, a process without a terminal that must fail at once instead of hanging,
// and an operator who never answers.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ManualPowerSwitch } from '../../harness/power/manual.ts';
import { PowerError } from '../../harness/power/power-switch.ts';

const CHILD = fileURLToPath(new URL('./fixtures/manual-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs the child; `answer` is typed once the prompt shows. Resolves with exit code and output. */
function runChild(opts: { tty: boolean; answer?: string; env?: Record<string, string> }): Promise<{ code: number | null; out: string }> {
  const node = [process.execPath, '--import', 'tsx', CHILD];
  const child = opts.tty
    ? spawn('script', ['-qefc', node.map((a) => `'${a}'`).join(' '), '/dev/null'], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: 'pipe' })
    : spawn(node[0]!, node.slice(1), { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let answered = false;
  const onOut = (c: Buffer) => {
    out += c.toString();
    if (opts.answer !== undefined && !answered && out.includes('press Enter')) {
      answered = true;
      child.stdin.write(opts.answer);
    }
  };
  child.stdout.on('data', onOut);
  child.stderr.on('data', onOut);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

void describe('manual power switch', () => {
  void it('without a terminal it fails at once, naming the board, instead of waiting for nobody', async () => {
    // Exit code 1 is the proof it did not wait: a child waiting on its open stdin is killed by
    // runChild's timer and has no exit code (a clock limit here fails on a loaded host).
    const r = await runChild({ tty: false });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /ERROR: board bench-7: power switch \(manual\): switching power on needs an operator, but standard input is not a terminal/);
  });

  void it('at a terminal it shows the prompt and waits for Enter', { skip: !hasScript && 'util-linux script is not installed' }, async () => {
    const r = await runChild({ tty: true, answer: '\r', env: { PROMPT: 'Flip switch 3 on the bench' } });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Flip switch 3 on the bench \(board bench-7\): switch power ON, then press Enter/);
    assert.match(r.out, /STATE=on/);
  });

  void it('gives up when nobody confirms in time', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = new PassThrough();
    let shown = '';
    output.on('data', (c: Buffer) => (shown += c.toString()));
    const sw = new ManualPowerSwitch({ kind: 'manual' }, { board: 'bench-7' }, { input, output, timeoutMs: 150 });
    const err = await sw.off().then(
      () => assert.fail('expected a PowerError'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PowerError);
    assert.match(err.message, /board bench-7: power switch \(manual\): switching power off: nobody confirmed within 150 ms/);
    assert.match(shown, /Switch the power of board bench-7 OFF, then press Enter/);
    assert.equal(await sw.state(), 'unknown', 'an unconfirmed switch is not assumed done');
  });
});
