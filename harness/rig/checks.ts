// What the schema cannot say about a rig file, checked before anything runs: each problem with its
// JSON pointer and the fix. Keys first (on the raw data, so a bad key is named even when the rest
// does not parse), then values of a rig that passed the schema: regexes compile, strings that name
// a program, a host or a port are not empty, timeouts fit setTimeout, slots hold their images.
// One pass over the file: time linear in its size.
import type { RigProblem } from './load.ts';
import type { BoardConfig, PortRef, RigConfig } from './schema.ts';

/** Keys that reach Object.prototype when a naive merge copies them. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
/** setTimeout's limit: a larger delay fires at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TAG = /^[a-z][a-z0-9_-]*$/;

/** A key as a JSON pointer segment (RFC 6901). */
export const seg = (k: string | number): string => String(k).replace(/~/g, '~0').replace(/\//g, '~1');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reserved keys anywhere, and the keys of the name → entry records (images, tags). */
export function keyProblems(data: unknown): RigProblem[] {
  const out: RigProblem[] = [];
  walk(data, (k) => RESERVED.has(k), (pointer, k) => out.push({ pointer, message: `"${k}" is a reserved name (a merge would write it into every object); rename it` }));
  const record = (v: unknown, at: string, pattern: RegExp, what: string) => {
    if (!isObject(v)) return;
    for (const k of Object.keys(v)) {
      if (!RESERVED.has(k) && !pattern.test(k)) out.push({ pointer: `${at}/${seg(k)}`, message: `${what} ${JSON.stringify(k)} does not match ${pattern.source}; ${fixName(k, pattern)}` });
    }
  };
  if (isObject(data)) {
    record(data.images, '/images', NAME, 'image name');
    if (Array.isArray(data.boards)) {
      data.boards.forEach((b, i) => {
        if (!isObject(b)) return;
        record(b.images, `/boards/${i}/images`, NAME, 'image name');
        record(b.tags, `/boards/${i}/tags`, TAG, 'tag name');
      });
    }
  }
  return out;
}

function fixName(k: string, pattern: RegExp): string {
  const tag = pattern === TAG;
  let s = (tag ? k.toLowerCase() : k).replace(tag ? /[^a-z0-9_-]+/g : /[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  if (tag) s = s.replace(/^[^a-z]+/, '');
  return s ? `write it as ${JSON.stringify(s)}` : tag ? 'a tag name starts with a lowercase letter, then letters, digits, _ or -' : 'a name starts with a letter or digit, then letters, digits, . _ or -';
}

/** Problems in a rig that passed the schema. */
export function valueProblems(rig: RigConfig): RigProblem[] {
  const out: RigProblem[] = [];
  timeouts(rig, out);
  rig.boards.forEach((b, i) => boardProblems(rig, b, `/boards/${i}`, out));
  return out;
}

function boardProblems(rig: RigConfig, b: BoardConfig, at: string, out: RigProblem[]): void {
  const add = (pointer: string, message: string) => out.push({ pointer: at + pointer, message });
  /** `group`: the named group it must have; `capture`: a group 1 or that named group will do. */
  const regex = (pointer: string, source: string | undefined, group?: string, capture = false) => {
    if (source === undefined) return;
    let re: RegExp;
    try {
      re = new RegExp(source);
    } catch (e) {
      const why = (e as Error).message.replace(/^Invalid regular expression: /, '');
      return add(pointer, `not a valid regex: ${why}; a literal ( ) [ ] { } . * + ? | \\ is written with a backslash, doubled in JSON ("\\\\(")`);
    }
    const groups = new RegExp(`${re.source}|`).exec('')!.length - 1;
    if (group && capture && groups === 0) add(pointer, `needs a group for the ${group}: group 1 or a named group, e.g. "(?<${group}>\\\\S+)"`);
    else if (group && !capture && !new RegExp(`\\(\\?<${group}>`).test(source)) add(pointer, `needs a named group ${group}, e.g. "(?<${group}>...)"`);
  };
  const text = (pointer: string, s: string | undefined, what: string) => {
    if (s !== undefined && !s.trim()) add(pointer, `empty ${what}`);
  };
  const argv = (pointer: string, a: string[] | undefined) => {
    if (a && !a[0]?.trim()) add(`${pointer}/0`, 'empty program name: the first element is the program to run');
  };
  port(b.console.port, `${at}/console/port`, out);
  const { power, transport, install, commit } = b;
  if (power.kind === 'serial-relay') port(power.port, `${at}/power/port`, out);
  if (power.kind === 'command') {
    argv('/power/on', power.on);
    argv('/power/off', power.off);
    argv('/power/state', power.state);
    regex('/power/onPattern', power.onPattern);
  }
  if (transport.kind === 'http-pull') {
    text('/transport/trigger/consoleCommand', transport.trigger.consoleCommand, 'console command');
    regex('/transport/trigger/expect', transport.trigger.expect);
    text('/transport/host', transport.host, 'host');
  }
  if ('addressFrom' in transport) regex('/transport/addressFrom', transport.addressFrom, 'host');
  if ('address' in transport) text('/transport/address', transport.address, 'address');
  if (transport.kind === 'espota') text('/transport/hostAddress', transport.hostAddress, 'host');
  if (transport.kind === 'mos-rpc') text('/transport/host', transport.host, 'host');
  if (transport.kind === 'command') {
    argv('/transport/command', transport.command);
    regex('/transport/progress', transport.progress, 'pct');
  }
  if (install.kind === 'command') argv('/install/command', install.command);
  if (commit?.kind === 'console-command') {
    text('/commit/command', commit.command, 'console command');
    regex('/commit/expect', commit.expect);
  }
  if (commit?.kind === 'device-manager') {
    text('/commit/host', commit.host, 'host');
    text('/commit/provision', commit.provision, 'console command');
    regex('/commit/expect', commit.expect);
  }
  regex('/app/version', b.app?.version, 'version', true);
  regex('/app/slot', b.app?.slot, 'slot', true);
  regex('/app/confirmed', b.app?.confirmed);
  if (b.sim) {
    const { slotSize, sectorSize } = b.sim;
    if (slotSize !== undefined && sectorSize !== undefined && slotSize < sectorSize) {
      add('/sim/slotSize', `${slotSize} is smaller than the sector size ${sectorSize}: a slot holds whole sectors`);
    }
    if (slotSize !== undefined) {
      const images = { ...rig.images, ...b.images };
      for (const [name, img] of Object.entries(images)) {
        const size = img.sim?.size;
        if (size === undefined || size <= slotSize) continue;
        const where = b.images?.[name] ? `${at}/images/${seg(name)}/sim/size` : `/images/${seg(name)}/sim/size`;
        out.push({ pointer: where, message: `image ${name} (${size} bytes) is larger than board ${b.name}'s slot (${slotSize} bytes, ${at}/sim/slotSize)` });
      }
    }
  }
}

const DEV_DIRS: Record<'byId' | 'byPath', string> = { byId: '/dev/serial/by-id/', byPath: '/dev/serial/by-path/' };

function port(ref: PortRef, at: string, out: RigProblem[]): void {
  for (const key of ['byId', 'byPath'] as const) {
    if (!(key in ref)) continue;
    const v = (ref as Record<typeof key, string>)[key];
    if (!v.trim()) out.push({ pointer: `${at}/${key}`, message: `empty ${key}: the link's name under ${DEV_DIRS[key]}` });
    else if (v.startsWith('/')) {
      const name = v.startsWith(DEV_DIRS[key]) ? v.slice(DEV_DIRS[key].length) : undefined;
      out.push({
        pointer: `${at}/${key}`,
        message: `${key} is the name under ${DEV_DIRS[key]}, not a path: ${name ? `write ${JSON.stringify(name)}` : `for a device path write {"path": ${JSON.stringify(v)}}`}`,
      });
    }
  }
  if ('path' in ref && !ref.path.trim()) out.push({ pointer: `${at}/path`, message: 'empty device path' });
}

/** Every millisecond field, wherever it is: past setTimeout's limit it would fire at once. */
function timeouts(rig: unknown, out: RigProblem[]): void {
  walk(
    rig,
    (k, v) => typeof v === 'number' && v > MAX_TIMEOUT_MS && k.endsWith('Ms'),
    (pointer, _k, v) => out.push({ pointer, message: `${String(v)} ms is beyond what a timer can wait (at most ${MAX_TIMEOUT_MS} ms, about 24.8 days)` }),
  );
}

/** Visits every key of every object; the pointer string is built only for a hit. */
function walk(root: unknown, hit: (key: string, value: unknown) => boolean, report: (pointer: string, key: string, value: unknown) => void): void {
  const trail: (string | number)[] = [];
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        trail.push(i);
        visit(v[i]);
        trail.pop();
      }
      return;
    }
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      trail.push(k);
      if (hit(k, x)) report(trail.map((t) => `/${seg(t)}`).join(''), k, x);
      visit(x);
      trail.pop();
    }
  };
  visit(root);
}
