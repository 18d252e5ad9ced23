// The format layer: what transport and logging wrapped around a line, peeled off and recorded
// before any stack parser reads it. Terminal stamps, RTT channels, ANSI colours (and their
// printed renderings), Markdown quotes, indentation, then the logging framework's own prefix:
// Zephyr 'I: ' / '[00:00:00.012,345] <inf> mcuboot: ', TF-M '[INF] ', ESP-IDF 'I (27) boot: ',
// Particle '0000012345 [system] INFO: ', Mongoose OS 'esp_main.c:172   '. Stack parsers then
// match the message (`text`) and, where it matters, the module that printed it (`tag`).
// Line indices never change: line i of the capture is line i here, so evidence quotes the raw text.

export type Level = 'E' | 'W' | 'I' | 'D' | 'V';

/** Names of what was peeled off a line (recorded so a report can say what a capture looked like). */
export type Wrapper =
  | 'ansi' | 'ansi-rendered' | 'control' | 'quote' | 'indent' | 'terminal-timestamp' | 'uptime'
  | 'rtt' | 'shell-prompt' | 'espressif-port' | 'zephyr-timestamp' | 'zephyr-minimal' | 'zephyr-full'
  | 'tfm-bl2' | 'zephyr-syslog' | 'esp-idf-log' | 'particle-log' | 'mbed-trace' | 'source-location' | 'truncated-line';

/** Shared between parses (formatLines keeps them): read-only. */
export interface ConsoleLine {
  /** The message as the stack printed it: no wrappers, no level, no module tag. */
  readonly text: string;
  readonly level: Level | null;
  /** The module or tag that printed it ('mcuboot', 'boot', 'system', 'esp_main.c') when the format names one. */
  readonly tag: string | null;
  /** The first timestamp found, verbatim. */
  readonly stamp: string | null;
  /** Milliseconds since reset, where the logging framework prints them (ESP-IDF '(123)', Particle '0000012345'). */
  readonly ticks: number | null;
  readonly wrappers: readonly Wrapper[];
}

/** A line while it is being peeled. */
type Peeling = { -readonly [K in keyof ConsoleLine]: ConsoleLine[K] } & { wrappers: Wrapper[] };

/** Longest line looked at: binary garbage without newlines must not cost seconds. */
const MAX_LINE = 2000;

// Real ESC sequences, then what copy-paste leaves of them: '␛[0;32m', '^[[0m', '\e[0m', '\033[0m'
// and a bare '[0;32m' whose ESC byte was dropped.
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g;
// 'e[0;32m': a '\e' rendering whose backslash a paste lost.
const ANSI_RENDERED = /(?:\u241b|\^\[|\\e|\\033|\\x1[bB])\[[0-9;]*[A-Za-z]|e\[[0-9;]*m|\[(?:[01];)?3\dm|\[0m/g;
// C0 controls other than tab, DEL, and the replacement char a terminal shows for a NUL.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

// Terminal programs' and capture tools' stamps, tried repeatedly at the start of a line.
const TERMINAL_STAMPS: readonly RegExp[] = [
  /^\[[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d+)?\]\s?/, // [Jun 25 20:14:54.126] (mos console, tio)
  /^\[\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,:]\d+)?Z?\]\s?/, // [2024-06-25 20:14:54.126] (Tera Term, minicom)
  /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?Z?\s+/, // 2024-06-25T20:14:54.126Z (CI loggers)
  /^\[\d{2}:\d{2}:\d{2}(?:[.,:]\d{1,3})?\]\s?/, // [20:14:54.126]
  /^\d{1,2}:\d{2}:\d{2}[.,:]\d{3} ?(?:>|->)(?:\s|$)/, // 19:38:34.090 > (idf.py monitor), 20:14:54.126 -> (Arduino, PlatformIO)
  /^\d{1,2}:\d{2}:\d{2}[.,]\d{3}\s+/, // 12:01:33.120  (CoolTerm, RealTerm)
  /^\d{2}:\d{2}:\d{2} (?=[A-Z]{3}: |\S)/, // 00:00:00 CFG: (Tasmota's uptime stamp)
];
const UPTIME_STAMPS: readonly RegExp[] = [
  /^\[ *\d+\.\d{3,9}\]\s?/, // [    0.123456] (NuttX, Linux-style syslog)
  /^\d+\.\d{3}s {2}/, // '   0.069s  ' (this harness's console.log attachment)
  /^\d{5,12} (?=[\w.-]+\.(?:c|cpp|h)(?::\d+)? )/, // '96542864 shelly_main.cpp:803 ' (Mongoose OS uptime µs)
];
const ZEPHYR_STAMP = /^\[\d{2}:\d{2}:\d{2}[.,]\d{3},\d{3}\]\s?|^\[\d{8,10}\]\s?/; // [00:00:00.012,345] or raw cycles [00001234]
const RTT = /^\d{1,2}> ?(?=\S|$)/; // SEGGER RTT Viewer/Logger terminal channel: '00> '
const SHELL_PROMPT = /^[A-Za-z0-9_-]+:~\$ /; // Zephyr shell prompt glued to the next output
const ESPRESSIF_PORT = /^\[(esp32[a-z0-9]*|esp8266)\]\s*/i; // MCUboot's Espressif port: '[esp32s3] [INF] '

// Logging frameworks: level and tag. Tried once, after the wrappers.
const ZEPHYR_FULL = /^<(inf|wrn|err|dbg)> ([\w.-]+): ?/;
const ZEPHYR_MINIMAL = /^([IWEDV]): /;
const TFM = /^\[(INF|WRN|ERR|DBG|VRB)\]\s*|^(INF|WRN|ERR|DBG): /; // TF-M, NXP and Alif ports
// Zephyr 1.x SYS_LOG: '[MCUBOOT] [INF] main: Starting bootloader' (module, level, function).
const ZEPHYR_SYSLOG = /^\[([A-Z][A-Z0-9_]*)\] \[(INF|WRN|ERR|DBG)\] \w+: /;
const ESP_IDF = /^([EWIDV]) \((\d+|\d{2}:\d{2}:\d{2}\.\d{3})\) ([^:\s][^:]{0,40}?): ?/;
// Mbed OS mbed-trace: '[INFO][MCUb]: ' (level, then the module's short group name).
const MBED_TRACE = /^\[(INFO|WARN|ERR|DBG|TRACE)\]\[(\w+)\]: ?/;
const PARTICLE = /^(\d{10}) \[([\w.:-]+)\] (TRACE|INFO|WARN|ERROR|PANIC|FATAL): ?/;
// Mongoose OS: 'esp_main.c:172          ', a cut 'mgos_vfs_fs_spiffs.:151 ', or (2018) a function name 'esp_mgos_init2       '.
const SOURCE_LOCATION = /^([\w.-]+\.(?:c|cpp|h)?):\d+\s+|^((?:esp|mgos|mg)_\w{2,20}) {2,}(?=\S)/;

const LEVELS: Record<string, Level> = {
  inf: 'I', wrn: 'W', err: 'E', dbg: 'D', INF: 'I', WRN: 'W', ERR: 'E', DBG: 'D', VRB: 'V',
  TRACE: 'V', INFO: 'I', WARN: 'W', ERROR: 'E', PANIC: 'E', FATAL: 'E',
};

function strip(s: string, re: RegExp, wrapper: Wrapper, out: Peeling): string {
  const t = s.replace(re, '');
  if (t !== s) out.wrappers.push(wrapper);
  return t;
}

function peel(s: string, re: RegExp, wrapper: Wrapper, out: Peeling): string {
  const m = re.exec(s);
  if (!m) return s;
  out.wrappers.push(wrapper);
  if (wrapper.endsWith('timestamp') || wrapper === 'uptime') out.stamp ??= m[0].trim();
  return s.slice(m[0].length);
}

/** One console line: wrappers recorded, message and tag separated. Never throws. */
export function formatLine(raw: unknown): ConsoleLine {
  const out: Peeling = { text: '', level: null, tag: null, stamp: null, ticks: null, wrappers: [] };
  if (typeof raw !== 'string') return out;
  let s = raw;
  if (s.length > MAX_LINE) {
    s = s.slice(0, MAX_LINE);
    out.wrappers.push('truncated-line');
  }
  s = strip(s, ANSI, 'ansi', out);
  s = strip(s, ANSI_RENDERED, 'ansi-rendered', out);
  s = strip(s, CONTROL, 'control', out).replace(/\uFEFF/g, '');
  // Wrappers nest (a quoted, stamped, RTT-prefixed line), so peel until nothing changes.
  for (let guard = 0; guard < 8; guard++) {
    const before = s;
    if (/^\s/.test(s)) {
      s = s.replace(/^\s+/, '');
      if (!out.wrappers.includes('indent')) out.wrappers.push('indent');
    }
    s = peel(s, /^(?:>\s?)+/, 'quote', out);
    for (const re of TERMINAL_STAMPS) s = peel(s, re, 'terminal-timestamp', out);
    for (const re of UPTIME_STAMPS) s = peel(s, re, 'uptime', out);
    s = peel(s, ZEPHYR_STAMP, 'zephyr-timestamp', out);
    s = peel(s, RTT, 'rtt', out);
    s = peel(s, SHELL_PROMPT, 'shell-prompt', out);
    s = peel(s, ESPRESSIF_PORT, 'espressif-port', out);
    if (s === before) break;
  }
  s = level(s, out);
  out.text = s.trimEnd();
  return out;
}

function level(s: string, out: Peeling): string {
  let m: RegExpExecArray | null;
  if ((m = ZEPHYR_FULL.exec(s))) {
    out.level = LEVELS[m[1] ?? ''] ?? null;
    out.tag = m[2] ?? null;
    out.wrappers.push('zephyr-full');
  } else if ((m = ESP_IDF.exec(s))) {
    out.level = (m[1] as Level | undefined) ?? null;
    out.stamp ??= m[2] ?? null;
    out.ticks = /^\d+$/.test(m[2] ?? '') ? Number(m[2]) : null;
    out.tag = m[3] ?? null;
    out.wrappers.push('esp-idf-log');
    // Mongoose OS on ESP32 logs 'I (123) esp_main.c:172   msg': the tag is a source location.
    const loc = /^\d+\s+/.exec(s.slice(m[0].length));
    if (loc && /\.(?:c|cpp|h)$/.test(out.tag ?? '')) return s.slice(m[0].length + loc[0].length);
  } else if ((m = PARTICLE.exec(s))) {
    out.stamp ??= m[1] ?? null;
    out.ticks = Number(m[1]);
    out.tag = m[2] ?? null;
    out.level = LEVELS[m[3] ?? ''] ?? null;
    out.wrappers.push('particle-log');
  } else if ((m = MBED_TRACE.exec(s))) {
    out.tag = m[2] ?? null;
    out.level = LEVELS[m[1] ?? ''] ?? null;
    out.wrappers.push('mbed-trace');
  } else if ((m = ZEPHYR_SYSLOG.exec(s))) {
    out.tag = m[1]?.toLowerCase() ?? null;
    out.level = LEVELS[m[2] ?? ''] ?? null;
    out.wrappers.push('zephyr-syslog');
  } else if ((m = ZEPHYR_MINIMAL.exec(s))) {
    out.level = (m[1] as Level | undefined) ?? null;
    out.wrappers.push('zephyr-minimal');
  } else if ((m = TFM.exec(s))) {
    out.level = LEVELS[m[1] ?? m[2] ?? ''] ?? null;
    out.wrappers.push('tfm-bl2');
  } else if ((m = SOURCE_LOCATION.exec(s))) {
    out.tag = m[1] ?? m[2] ?? null;
    out.wrappers.push('source-location');
  }
  return m ? s.slice(m[0].length).replace(/^\s+/, '') : s;
}

/**
 * Lines formatted before, by their text: a growing log is parsed again at every line (a window of
 * it, follow.ts), and formatting was most of a parse. Emptied when full.
 */
const seen = new Map<string, ConsoleLine>();
const SEEN_MAX = 50_000;

/** Every line through the format layer; index i of the result is line i of the input. */
export function formatLines(lines: readonly string[]): ConsoleLine[] {
  const out: ConsoleLine[] = new Array<ConsoleLine>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (typeof raw !== 'string' || raw.length > MAX_LINE) {
      out[i] = formatLine(raw); // not kept: a line of binary garbage may be megabytes
      continue;
    }
    let l = seen.get(raw);
    if (l === undefined) {
      l = formatLine(raw);
      Object.freeze(l.wrappers);
      Object.freeze(l);
      if (seen.size >= SEEN_MAX) seen.clear();
      seen.set(raw, l);
    }
    out[i] = l;
  }
  return out;
}

/** Just the messages: what most matching needs. */
export function messages(lines: readonly ConsoleLine[]): string[] {
  return lines.map((l) => l.text);
}

/** 'I (27) boot: ' style re-rendering for quoting a line without its wrappers. */
export function describeLine(l: ConsoleLine): string {
  return `${l.level ? `${l.level}: ` : ''}${l.tag ? `${l.tag}: ` : ''}${l.text}`;
}
