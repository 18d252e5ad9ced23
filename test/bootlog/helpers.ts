// Shared bits for the boot-log tests: the repo root and a way to write a console capture as a
// template literal.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitLines } from '../../harness/bootlog/lines.ts';
import { summarize } from '../../harness/bootlog/registry.ts';
import type { BootLogSummary } from '../../harness/bootlog/boot.ts';
import type { StackName } from '../../harness/rig/schema.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A capture written inline: leading indentation and the first/last blank line are dropped. */
export function log(text: string): string[] {
  const lines = splitLines(text.replace(/^\n/, ''));
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0));
}

export function final(stack: StackName, lines: readonly string[]): BootLogSummary['final'] {
  return summarize(stack, lines).final;
}
