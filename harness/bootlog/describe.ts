// Boots in words, and versions compared the way consoles print them: shared by the matchers and
// by the fault sweeps (whose worker threads load this, not the fixtures).
import type { Boot } from './boot.ts';

/**
 * Does the reported version `a` name the expected version `b`? "v1.1.0", "1.1.0+0" and "1.1.0"
 * name the same version; a report that prefixes the version with the app's name, as Mongoose OS
 * does ("otahil 1.1.0"), names it too: it must end with a space and the expected version (so
 * "otahil 11.1.0" is not "1.1.0"). The expected version may carry the app's name as well.
 */
export function sameVersion(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const want = normVersion(b);
  const got = normVersion(a);
  return want !== '' && (got === want || got.endsWith(` ${want}`));
}

/** Words joined by one space; the last one (the version) without a leading "v" or a trailing "+0". */
function normVersion(v: string): string {
  const words = v.trim().split(/\s+/);
  words[words.length - 1] = words[words.length - 1]!.replace(/^v(?=\d)/, '').replace(/\+0$/, '');
  return words.join(' ');
}

export function describeBoot(b: Boot): string {
  const what = b.slot === 'none' ? 'nothing' : (b.version ?? 'an unknown version');
  return `${what}${b.slot && b.slot !== 'none' ? ` from ${b.slot}` : ''} (event ${b.event}${b.complete ? '' : ', incomplete'})`;
}
