// `ota-hil rig validate FILE` and `ota-hil rig schema [--out FILE]`, each knowing a repository's
// own kinds with --kinds FILE.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil rig validate FILE      check a rig file: every problem with file, JSON pointer and expectation
       ota-hil rig schema [--out FILE]  the rig JSON Schema (for editor completion), to stdout or FILE
  --kinds FILE   your own kinds too: FILE exports what your config gives otaHilConfig({ kinds }),
                 as default or as \`kinds\` (TypeScript: Node 22.18 or later, or tsx installed)
`;

export async function rigCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') return help(io);
  if (sub !== 'schema' && sub !== 'validate') return usage(io, sub === undefined ? 'say validate or schema' : `unknown rig command ${JSON.stringify(sub)}`);
  let args;
  try {
    args = parseArgs({
      args: rest,
      options: { out: { type: 'string' }, rig: { type: 'string' }, kinds: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: sub === 'validate',
    });
  } catch (e) {
    return usage(io, `rig ${sub}: ${(e as Error).message}`);
  }
  if (args.values.help) return help(io);
  if (sub === 'schema' && args.values.rig) return usage(io, 'rig schema takes no rig file; --out names where the schema goes');
  if (sub === 'validate' && args.values.out) return usage(io, 'rig validate writes nothing; --out is for rig schema');
  const file = args.positionals[0] ?? args.values.rig;
  if (sub === 'validate' && !file) return usage(io, 'rig validate needs a rig file');
  // The rig schema and every kind's options load only now: help and usage answers stay quick.
  const [{ loadRigWithImages, RigError }, { jsonSchema }, { rigAdvice }, { KindsFileError, loadKindsFile }, { kindsCheckpoint }] = await Promise.all([
    import('../rig/load.ts'),
    import('../rig/schema.ts'),
    import('../rig/advice.ts'),
    import('./kinds-file.ts'),
    import('../rig/extend.ts'),
  ]);
  // The --kinds are this command's only (io.ts: main() may run in a test's process, call after call).
  const forgetKinds = kindsCheckpoint();
  try {
    for (const f of args.values.kinds ?? []) {
      try {
        await loadKindsFile(f);
      } catch (e) {
        io.stderr.write(`ota-hil: ${e instanceof KindsFileError ? '' : `${f}: `}${(e as Error).message}\n`);
        return 1;
      }
    }
    if (sub === 'schema') {
      const text = JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...jsonSchema() }, null, 2) + '\n';
      const out = args.values.out;
      if (out === undefined) {
        io.stdout.write(text);
        return 0;
      }
      try {
        writeFileSync(out, text);
      } catch (e) {
        io.stderr.write(`ota-hil: cannot write the schema to ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        return 1;
      }
      io.stdout.write(`wrote ${out}\n`);
      return 0;
    }
    try {
      const rig = await loadRigWithImages(file!);
      io.stdout.write(`${rig.file}: ok (${rig.boards.length} board${rig.boards.length === 1 ? '' : 's'}: ${rig.boards.map((b) => b.name).join(', ')})\n`);
      for (const a of rigAdvice(rig)) io.stdout.write(`  warning: ${a}\n`);
      return 0;
    } catch (e) {
      io.stderr.write(`${e instanceof RigError ? '' : `ota-hil: ${file}: `}${(e as Error).message}\n`);
      return 1;
    }
  } finally {
    forgetKinds();
  }
}

function help(io: CliIo): number {
  io.stdout.write(USAGE);
  return 0;
}

function usage(io: CliIo, why: string): number {
  io.stderr.write(`ota-hil: ${why}\n${USAGE}`);
  return 2;
}
