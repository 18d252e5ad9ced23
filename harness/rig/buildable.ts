// A simulated board's images are built by its stack's simulator when the board opens; one the stack
// cannot build (a version MCUboot cannot encode, a geometry it refuses) is refused with the rig
// instead, by pointer. Asynchronous, as it loads the rig's stacks (harness/sim/registry.ts): done
// where a rig is checked for use (`ota-hil rig validate`, the Playwright runner before its workers
// start), not where a valid rig is only read again (a worker finding its project and board).
import type { RigProblem } from './load.ts';
import type { RigConfig } from './schema.ts';
import { seg } from './checks.ts';
import { simStack } from '../sim/registry.ts';

/** Builds already tried, by stack, sim config and image: identical boards cost one build. */
const built = new Map<string, string | undefined>();

/** Problems in a rig that passed the schema and the other checks (harness/rig/checks.ts). */
export async function unbuildableImages(rig: RigConfig): Promise<RigProblem[]> {
  const out: RigProblem[] = [];
  for (const [i, b] of rig.boards.entries()) {
    if (!b.sim) continue;
    const at = `/boards/${i}`;
    for (const [name, img] of Object.entries({ ...rig.images, ...b.images })) {
      if (!img.sim) continue;
      const key = JSON.stringify([b.stack, b.sim, img.version, img.sim]);
      if (!built.has(key)) {
        let why: string | undefined;
        try {
          (await simStack(b.stack, b.name)).buildImage({ version: img.version, ...img.sim }, b.sim);
        } catch (e) {
          why = (e as Error).message.split('\n')[0];
        }
        built.set(key, why);
      }
      const why = built.get(key);
      if (why === undefined) continue;
      const own = b.images?.[name] !== undefined;
      out.push({ pointer: own ? `${at}/images/${seg(name)}` : `/images/${seg(name)}`, message: `cannot be built for board ${b.name} (${b.stack}, ${at}/sim): ${why}` });
    }
  }
  return out;
}
