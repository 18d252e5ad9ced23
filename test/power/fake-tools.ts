// Stand-ins for uhubctl, ykushcmd, sispmctl, usbrelay and a vendor power CLI, written to a temp
// dir that goes first on PATH. Each records its argv (one line per run, arguments separated by
// \x1f) and prints what the real tool prints, keeping port state in files; marker files make them
// misbehave the way the real tools do (a stuck port, an absent board that still exits 0).
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const RECORD = `D=$(dirname "$0"); T=$(basename "$0"); printf '#' >> "$D/$T.argv"; for a in "$@"; do printf '%s\\037' "$a"; done >> "$D/$T.argv"; printf '\\n' >> "$D/$T.argv"`;

const SCRIPTS: Record<string, string> = {
  // uhubctl 2.5: status blocks before and after the action; a USB 3 hub shows up twice.
  uhubctl: `
loc=; port=; act=
while [ $# -gt 0 ]; do
  case "$1" in
    -l) loc=$2; shift 2;; -p) port=$2; shift 2;; -a) act=$2; shift 2;; -r) shift 2;;
    *) echo "Invalid command line syntax!" >&2; exit 1;;
  esac
done
if [ "$loc" != "1-1" ]; then echo "No compatible devices detected at location $loc!" >&2; echo "Run with -h to get usage info." >&2; exit 1; fi
S="$D/uhubctl.state"; [ -f "$S" ] || echo on > "$S"
status() {
  if [ "$(cat "$S")" = on ]; then
    p2="0503 power highspeed enable connect [0403:6001 FTDI FT232R USB UART A10KZP45]"; p3="02a0 power 5gbps Rx.Detect"
  else
    p2="0000 off"; p3="00a0 off Rx.Detect"
  fi
  echo "$1 status for hub 1-1 [2109:2817 VIA Labs, Inc. USB2.0 Hub, USB 2.10, 4 ports, ppps]"
  echo "  Port $port: $p2"
  echo "$1 status for hub 2-1 [2109:0817 VIA Labs, Inc. USB3.0 Hub, USB 3.10, 4 ports, ppps]"
  echo "  Port $port: $p3"
}
status Current
[ -z "$act" ] && exit 0
case "$act" in on|1) want=on;; off|0) want=off;; esac
[ -f "$D/uhubctl.stuck" ] || echo "$want" > "$S"
echo "Sent power $want request"
status New
`,
  // ykushcmd 1.2.5: exits 0 whatever happens; without a board it says "Unable to open device"
  // and then prints a status made of uninitialised bytes.
  ykushcmd: `
model=ykush; case "$1" in -*) ;; *) model=$1; shift;; esac
serial=; act=; port=
while [ $# -gt 0 ]; do
  case "$1" in
    -s) serial=$2; shift 2;;
    -u|-d|-g) act=$1; shift; if [ "$model" != ykushxs ]; then port=$1; shift; fi;;
    -l) echo; echo "Attached YKUSH Boards:"; echo; echo "1. Board found with serial number: YK21374"; exit 0;;
    *) shift;;
  esac
done
if [ -f "$D/ykushcmd.absent" ] || { [ -n "$serial" ] && [ "$serial" != YK21374 ]; }; then
  echo "Unable to open device"; [ "$act" = -g ] && printf '\\n\\nDownstream port 15 is ON\\n\\n'; exit 0
fi
S="$D/ykushcmd.port$port"; [ -f "$S" ] || echo ON > "$S"
case "$act" in
  -u) [ -f "$D/ykushcmd.stuck" ] || echo ON > "$S";;
  -d) [ -f "$D/ykushcmd.stuck" ] || echo OFF > "$S";;
  -g) st=$(cat "$S")
      case "$model" in
        ykush3) echo "Port $port $st";;
        ykushxs) printf '\\n\\nDownstream port is %s\\n\\n' "$st";;
        *) printf '\\n\\nDownstream port %s is %s\\n\\n' "$port" "$st";;
      esac;;
esac
exit 0
`,
  // sispmctl 3.1: options act in order; -q makes -g print only on/off.
  sispmctl: `
if [ -f "$D/sispmctl.absent" ]; then echo "No GEMBIRD SiS-PM found. Check USB connections, please!" >&2; exit 1; fi
q=0
while [ $# -gt 0 ]; do
  case "$1" in
    -D) if [ "$2" != "01:01:56:a2:f1" ]; then echo "No device with serial number $2 found." >&2; exit 1; fi; shift 2;;
    -d) shift 2;;
    -q) q=1; shift;;
    -o|-f|-g)
      [ $q = 0 ] && echo "Accessing Gembird #0 USB device 004"
      S="$D/sispmctl.outlet$2"; [ -f "$S" ] || echo off > "$S"
      case "$1" in
        -o) echo on > "$S"; [ $q = 0 ] && echo "Switched outlet $2 on";;
        -f) echo off > "$S"; [ $q = 0 ] && echo "Switched outlet $2 off";;
        -g) [ $q = 0 ] && printf 'Status of outlet %s:\\t' "$2"; cat "$S";;
      esac
      shift 2;;
    *) echo "Unknown Option: $1" >&2; exit 1;;
  esac
done
`,
  // usbrelay 1.0: lists every channel as ID_N=state, then acts; exits 0 when the ID is not found.
  usbrelay: `
S="$D/usbrelay.state"; [ -f "$S" ] || printf '6QMBS_1=0\\n6QMBS_2=0\\n' > "$S"
[ -f "$D/usbrelay.absent" ] && exit 0
cat "$S"
for a in "$@"; do
  case "$a" in
    *_*=*) id=\${a%%=*}; v=\${a#*=}
      if grep -q "^$id=" "$S" && [ ! -f "$D/usbrelay.noswitch" ]; then
        sed -i "s/^$id=.*/$id=$v/" "$S"
      fi;;
  esac
done
exit 0
`,
  // A vendor CLI for some network power switch: power-ctl --outlet N on|off|status.
  'power-ctl': `
n=; while [ $# -gt 0 ]; do case "$1" in --outlet) n=$2; shift 2;; *) cmd=$1; shift;; esac; done
S="$D/power-ctl.outlet$n"; [ -f "$S" ] || echo OFF > "$S"
case "$cmd" in
  on) echo ON > "$S";; off) echo OFF > "$S";;
  status) echo "Outlet $n: $(cat "$S") (load 0.12 A)";;
  fail) echo "power-ctl: connection refused" >&2; exit 3;;
esac
`,
};

export interface FakeTools {
  dir: string;
  /** The argv of every run of `tool`, oldest first. */
  argv(tool: string): string[][];
  /** Creates a marker file (e.g. "uhubctl.stuck") that changes a fake's behaviour. */
  mark(name: string): void;
  file(name: string): string;
  /** Puts the fakes first on PATH until restore(). */
  usePath(): void;
  restore(): void;
}

export function installFakeTools(): FakeTools {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-tools-'));
  for (const [name, body] of Object.entries(SCRIPTS)) {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${RECORD}\n${body}`);
    chmodSync(file, 0o755);
  }
  const oldPath = process.env.PATH;
  return {
    dir,
    argv(tool) {
      const f = path.join(dir, `${tool}.argv`);
      if (!existsSync(f)) return [];
      return readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('#')) // one line per run, even a run without arguments
        .map((l) => l.slice(1).split('\x1f').slice(0, -1));
    },
    mark(name) {
      writeFileSync(path.join(dir, name), '');
    },
    file(name) {
      const f = path.join(dir, name);
      return existsSync(f) ? readFileSync(f, 'utf8').trim() : '';
    },
    usePath() {
      process.env.PATH = `${dir}${path.delimiter}${oldPath ?? ''}`;
    },
    restore() {
      process.env.PATH = oldPath;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
