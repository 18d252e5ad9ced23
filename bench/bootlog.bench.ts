// Boot-log parsing while a log grows, as a board's waits ask at each console line: the corpus logs
// of each stack one after another (up to 400 lines: many boots) fed a line at a time to the
// follower (harness/bootlog/follow.ts), and to a full parse at every line as before it. CPU, the
// lower of two runs each.
import { readFileSync } from 'node:fs';
import { loadCorpus } from '../test/bootlog/corpus-score.ts';
import { decodeConsole, splitLines } from '../harness/bootlog/lines.ts';
import { parserFor } from '../harness/bootlog/registry.ts';
import { BootFollower } from '../harness/bootlog/follow.ts';
import type { StackName } from '../harness/rig/schema.ts';
import type { Figures } from './stats.ts';

const MAX_LINES = 400;

export function benchBootlog(out: Figures): void {
  const logs = new Map<StackName, string[]>();
  for (const e of loadCorpus()) {
    const lines = logs.get(e.side.stack) ?? [];
    if (lines.length < MAX_LINES) logs.set(e.side.stack, [...lines, ...splitLines(decodeConsole(readFileSync(e.file)))].slice(0, MAX_LINES));
  }
  const cpu = (run: () => void): number => {
    const c0 = process.cpuUsage();
    run();
    const c = process.cpuUsage(c0);
    return Math.round((c.user + c.system) / 1000);
  };
  let follow = 0;
  let full = 0;
  for (const [stack, lines] of logs) {
    const parser = parserFor(stack);
    parser.parse(lines); // the format layer's cache warm for both
    let f = new BootFollower(parser);
    const grow = (): void => {
      f = new BootFollower(parser);
      for (let n = 1; n <= lines.length; n++) f.parse(lines.slice(0, n));
    };
    const whole = (): void => {
      for (let n = 1; n <= lines.length; n++) parser.parse(lines.slice(0, n));
    };
    // Each twice, alternating, the lower kept: the first runs also pay the JIT.
    const [a, b] = [[cpu(grow), cpu(whole)], [cpu(grow), cpu(whole)]].reduce((x, y) => [Math.min(x[0]!, y[0]!), Math.min(x[1]!, y[1]!)]) as [number, number];
    process.stdout.write(`  ${stack.padEnd(16)} ${lines.length} lines, ${parser.parse(lines).length} boots: follower ${a} ms CPU, full parse at every line ${b} ms (${f.stats.windowed} windows, ${f.stats.full} full parses)\n`);
    follow += a;
    full += b;
  }
  out.bootlog_follow_cpu_ms = follow;
  out.bootlog_full_cpu_ms = full;
}
