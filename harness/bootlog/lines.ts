// Console text → lines, and the meaning-level helpers every parser shares (versions, crashes).
// Wrappers around a line (stamps, colours, levels, tags) are format.ts's business.

// A pasted log whose newlines were lost: 'I: Starting bootloader I: Primary image: …'. Only a
// line that holds two or more such starts is cut (a live console never joins lines).
const JOINED = / (?=[IWE]: [A-Z]|\*{3} (?:Booting|Using) )/g;

/** Split console text into lines: CRLF, LF and lone CR all end a line; joined pastes are unjoined. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  // A growing console is split again at every line: lines that are not joined pastes (nearly all)
  // are kept as they are, without a list of matches and an array each.
  if (!lines.some(joined)) return lines;
  return lines.flatMap((l) => (joined(l) ? l.split(JOINED) : [l]));
}

/** Two or more line starts in one line; without ': ' or '*** ' it holds none. */
const joined = (l: string): boolean => l.length < 20000 && (l.includes(': ') || l.includes('*** ')) && (l.match(JOINED)?.length ?? 0) >= 2;

/** Bytes from a serial capture → text. UTF-8 when valid, else latin1 (every byte maps to a char). */
export function decodeConsole(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

/** A version token: 1.2, 1.2.3, v1.2.3-rc1, 0.0.0+0. An IPv4 address is not one. */
const VERSION_TOKEN = /^v?(\d+\.\d+(?:\.\d+){0,2}[a-z]?(?:[-+][0-9A-Za-z][0-9A-Za-z.+-]*)?)$/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+/;

export function versionToken(token: string): string | null {
  // A build tag in parentheses belongs to the version ('8.2.0.6(a32682b-minimal)'); an Arduino core
  // suffix after it does not ('-2_7_0').
  const tagged = /^v?(\d+(?:\.\d+)+\([\w.-]+\))(?:-\d+_\d+_\d+)?$/.exec(token);
  if (tagged) return tagged[1] ?? null;
  const t = token.replace(/[,;)]+$/, '');
  if (IPV4.test(t)) return null;
  const m = VERSION_TOKEN.exec(t);
  return m?.[1] ?? null;
}

// Words that make "<word> version" about something other than the application.
const NOT_APP = /\b(?:image|sdk|os|zephyr|kernel|bootloader|boot|idf|esp-idf|hw|hardware|board|chip|rom|core|protocol|api|lwip|bearssl|mbedtls)\s*$/i;

/**
 * An application version announced with the word "version": 'Version: 0.0.0+0, board: …',
 * 'Firmware version 1.1.0', 'App version v2.0'. Never a bootloader's, SDK's or OS's version.
 */
export function keywordVersion(line: string): string | null {
  const re = /\bversion\b\s*[:=]?\s*(\S+)/gi;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const before = line.slice(0, m.index);
    if (NOT_APP.test(before)) continue;
    const v = versionToken(m[1] ?? '');
    if (v) return v;
  }
  return null;
}

/** A sketch banner that ends in a version: 'Arduino OTA Test 1.0.1' → '1.0.1'. */
export function trailingVersion(line: string): string | null {
  if (/^(?:SDK|Core|lwIP|BearSSL|IP|mode|ets)\b/i.test(line)) return null;
  const m = /(?:^|\s)(\S+)$/.exec(line);
  return m ? versionToken(m[1] ?? '') : null;
}

/** Readable text rather than line noise from a baud-rate mismatch. */
export function looksLikeText(t: string): boolean {
  if (t.length < 3 || /\?{3}|\uFFFD/.test(t)) return false;
  let printable = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) printable++;
  }
  return printable / t.length >= 0.95;
}

/** Lines that say the running application crashed (kept as notes, not as events). */
const CRASHES: readonly [RegExp, string][] = [
  [/ZEPHYR FATAL ERROR/, 'ZEPHYR FATAL ERROR'],
  [/Guru Meditation Error/, 'Guru Meditation Error'],
  [/\babort\(\) was called\b/, 'abort() was called'],
  [/^Fatal exception \d+/, 'Fatal exception'],
  [/^Exception \(\d+\):/, 'Exception'],
  [/^Soft WDT reset/, 'Soft WDT reset'],
  [/\bHard ?Fault\b/i, 'HardFault'],
  [/\bKernel panic\b/, 'Kernel panic'],
];

/** 'ZEPHYR FATAL ERROR' etc. when the line reports an application crash, else null. */
export function crashKind(line: string): string | null {
  for (const [re, kind] of CRASHES) if (re.test(line)) return kind;
  return null;
}
