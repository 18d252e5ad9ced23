// Console capture over a pseudo-terminal (socat pty pair, serialport, the harness Console): lines
// a board prints at 921,600 baud (paced to the wire rate: 92,160 bytes/s), and a burst as fast as
// the pty carries it; lines lost are sequence numbers missing or garbled on the harness side.
import { SerialPort } from 'serialport';
import { Console } from '../harness/console/console.ts';
import { hasSocat, ptyPair } from '../test/helpers/pty.ts';
import { figure } from './stats.ts';

const BAUD = 921_600;
const LINE = (n: number) => `[${String(n).padStart(8, '0')}] I (12345) app: sensor=0x5a5a5a5a rssi=-61 heap=183412 uptime_ms=${n * 7}`;

async function openDevice(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: BAUD, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return port;
}

const write = (port: SerialPort, data: string) =>
  new Promise<void>((resolve, reject) => port.write(data, (e) => (e ? reject(e) : port.drain((d) => (d ? reject(d) : resolve()))))); 

function lost(con: Console, sent: number): { received: number; lost: number } {
  const seen = new Set<number>();
  for (const l of con.lines) {
    const m = /^\[(\d{8})\] I \(12345\) app: sensor=0x5a5a5a5a rssi=-61 heap=183412 uptime_ms=(\d+)$/.exec(l.text);
    if (m && Number(m[2]) === Number(m[1]) * 7) seen.add(Number(m[1]));
  }
  return { received: seen.size, lost: sent - seen.size };
}

async function run(paced: boolean, seconds: number): Promise<void> {
  const pair = await ptyPair();
  const con = await Console.open({ board: 'bench', path: pair.harness, baudRate: BAUD });
  const dev = await openDevice(pair.device);
  try {
    const t0 = performance.now();
    let n = 0;
    let bytes = 0;
    if (paced) {
      // Each 10 ms, what the wire carries in 10 ms (10 bits per byte).
      const perTick = BAUD / 10 / 100;
      let budget = 0;
      while (performance.now() - t0 < seconds * 1000) {
        budget += perTick;
        let chunk = '';
        while (budget > 0) {
          const l = LINE(n++) + '\r\n';
          chunk += l;
          budget -= l.length;
        }
        bytes += chunk.length;
        await write(dev, chunk);
        await new Promise((r) => setTimeout(r, 10));
      }
    } else {
      while (performance.now() - t0 < seconds * 1000) {
        let chunk = '';
        for (let i = 0; i < 400; i++) chunk += LINE(n++) + '\r\n';
        bytes += chunk.length;
        await write(dev, chunk);
      }
    }
    const sent = n;
    await con.waitFor(() => (con.lines.length >= sent ? true : undefined), 10_000, 'every line').catch(() => undefined);
    const secs = (performance.now() - t0) / 1000;
    const { received, lost: missing } = lost(con, sent);
    const label = paced ? `paced at ${BAUD} baud` : 'burst (pty speed)';
    figure(`console ${label}: lines/s`, `${Math.round(received / secs)} (${(bytes / secs / 1e6).toFixed(2)} MB/s offered)`);
    figure(`console ${label}: lines lost`, `${missing} of ${sent}`);
  } finally {
    await new Promise<void>((r) => dev.close(() => r()));
    await con.close();
    pair.close();
  }
}

export async function benchConsole(): Promise<void> {
  if (!hasSocat()) {
    figure('console capture', 'skipped: socat is not installed (apt-get install -y socat)');
    return;
  }
  await run(true, 3);
  await run(false, 3);
}
