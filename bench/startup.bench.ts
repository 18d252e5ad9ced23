// Start-up CPU of the Playwright processes every run pays, whatever it tests: the runner listing the
// stock library (`playwright test --list`: config, rig, every spec loaded), and a worker that loads
// the config, the rig and the harness's fixtures and runs one test that opens no board. Each is the
// process's own CPU (its threads included), the median of 3, printed at its exit by a preload: one
// figure whatever the machine's load. Of 4 runs each the first is left out: it may fill the compile cache.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Figures } from './stats.ts';

const HARNESS = pathToFileURL(path.resolve('harness')).href;

export function benchStartup(out: Figures): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-bench-startup-'));
  try {
    const log = path.join(dir, 'cpu.log');
    // Appends "<entry script> <cpu ms>" per process (Playwright forks its workers with this NODE_OPTIONS too).
    writeFileSync(
      path.join(dir, 'cpu.mjs'),
      `import { appendFileSync } from 'node:fs';
process.on('exit', () => { const u = process.cpuUsage(); appendFileSync(${JSON.stringify(log)}, \`\${process.argv[1]} \${Math.round((u.user + u.system) / 1000)}\\n\`); });\n`,
    );
    // .mts: this folder has no package.json saying "type": "module", and the harness is ES modules.
    writeFileSync(path.join(dir, 'playwright.config.mts'), `import { otaHilConfig } from '${HARNESS}/config.ts';\nexport default otaHilConfig({ testDir: '.', playwright: { reporter: [['null']] } });\n`);
    writeFileSync(path.join(dir, 'idle.spec.mts'), `import { test, expect } from '${HARNESS}/index.ts';\ntest('opens no board', () => expect(1).toBe(1));\n`);
    const env = { ...process.env, NODE_OPTIONS: `--import ${pathToFileURL(path.join(dir, 'cpu.mjs')).href}`, OTA_HIL_REPORTS: path.join(dir, 'reports') };
    const cpu = (args: string[], entry: RegExp): number => {
      const ms = [0, 1, 2, 3].map(() => {
        writeFileSync(log, '');
        const r = spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', ...args], { encoding: 'utf8', env, timeout: 120_000 });
        if (r.status !== 0) throw new Error(`playwright test ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
        const line = readFileSync(log, 'utf8').split('\n').find((l) => entry.test(l.split(' ')[0] ?? ''));
        if (!line) throw new Error(`no process ran ${entry}`);
        return Number(line.split(' ')[1]);
      });
      return ms.slice(1).sort((a, b) => a - b)[1]!; // the first run may fill the compile cache
    };
    out.pw_list_cpu_ms = cpu(['--list', '--reporter=null'], /@playwright\/test\/cli\.js$/);
    out.pw_worker_cpu_ms = cpu(['-c', path.join(dir, 'playwright.config.mts'), '--project', 'sim/mcuboot-1'], /workerProcessEntry\.js$/);
    process.stdout.write(`  playwright test --list (runner): ${out.pw_list_cpu_ms} ms CPU; a worker running a test that opens no board: ${out.pw_worker_cpu_ms} ms CPU\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
