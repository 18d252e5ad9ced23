// `ota-hil rig validate FILE` and `ota-hil rig schema [--out FILE]`.
import { writeFileSync } from 'node:fs';
import { loadRig, RigError } from '../rig/load.ts';
import { jsonSchema } from '../rig/schema.ts';

export function rigCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub === 'schema') {
    const out = flag(rest, '--out');
    const text = JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...jsonSchema() }, null, 2) + '\n';
    if (out) {
      writeFileSync(out, text);
      process.stdout.write(`wrote ${out}\n`);
    } else process.stdout.write(text);
    return 0;
  }
  if (sub === 'validate') {
    const file = rest.find((a) => !a.startsWith('--')) ?? flag(rest, '--rig');
    if (!file) return usage('rig validate needs a rig file');
    try {
      const rig = loadRig(file);
      process.stdout.write(`${rig.file}: ok (${rig.boards.length} board${rig.boards.length === 1 ? '' : 's'}: ${rig.boards.map((b) => b.name).join(', ')})\n`);
      return 0;
    } catch (e) {
      if (e instanceof RigError) {
        process.stderr.write(e.message + '\n');
        return 1;
      }
      throw e;
    }
  }
  return usage(`unknown rig command ${JSON.stringify(sub ?? '')}`);
}

export function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

function usage(why: string): number {
  process.stderr.write(`ota-hil: ${why}\nusage: ota-hil rig validate FILE | ota-hil rig schema [--out FILE]\n`);
  return 2;
}
