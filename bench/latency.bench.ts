// Reflex: from a console line leaving the board to the power-off command reaching the switch.
// Relay: the line is written on the device end of one pty pair, the harness Console.expect()s it
// and switches an LCUS serial relay (SerialRelayPowerSwitch) off through a second pty pair; the
// peer playing the relay timestamps the off frame. Sim: a simulated board's "Firmware version" line
// leaves its UART; Console.expect() → board.power.cut(); timed to the moment the supply drops.
import { SerialPort } from 'serialport';
import { Console } from '../harness/console/console.ts';
import { SerialRelayPowerSwitch } from '../harness/power/serial-relay.ts';
import { Board } from '../harness/fixtures/board.ts';
import { hasSocat, ptyPair } from '../test/helpers/pty.ts';
import { mcubootRig } from './rigs.ts';
import { figure, ms, summary } from './stats.ts';

/** Plays an LCUS relay: answers the status query, reports each off frame's arrival time. */
class RelayPeer {
  onOff: ((t: number) => void) | null = null;
  private buf: number[] = [];
  private on = false;
  constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      const t = performance.now();
      for (const b of chunk) {
        if (this.buf.length === 0 && b === 0xff) {
          port.write(`CH1:${this.on ? 'ON' : 'OFF'} \r\n`);
          continue;
        }
        this.buf.push(b);
        if (this.buf.length < 4) continue;
        const [, , op] = this.buf as [number, number, number, number];
        this.buf = [];
        this.on = op === 1;
        if (op === 0) this.onOff?.(t);
      }
    });
  }
}

async function open(path: string, baudRate: number): Promise<SerialPort> {
  const p = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => p.open((e) => (e ? reject(e) : resolve())));
  return p;
}

async function relayLatency(n: number): Promise<number[]> {
  const con = await ptyPair();
  const rel = await ptyPair();
  const console = await Console.open({ board: 'bench', path: con.harness, baudRate: 921_600 });
  const dev = await open(con.device, 921_600);
  const peer = new RelayPeer(await open(rel.device, 9600));
  const relay = new SerialRelayPowerSwitch({ kind: 'serial-relay', port: { path: rel.harness }, channel: 1 }, { board: 'bench' }, { gapMs: 0, queryMs: 100 });
  const samples: number[] = [];
  try {
    await relay.on();
    for (let i = 0; i < n; i++) {
      const from = console.lines.length;
      const off = new Promise<number>((resolve) => (peer.onOff = resolve));
      const reflex = console.expect(new RegExp(`^I: marker ${i}$`), { from, timeout: 5000 }).then(() => relay.off());
      // Some chatter first, as a booting board prints, then the line the cut waits for.
      const t0 = performance.now();
      dev.write(`I: chatter ${i}\r\nI: marker ${i}\r\n`);
      samples.push((await off) - t0);
      await reflex;
      await relay.on();
    }
  } finally {
    await relay.close();
    await console.close();
    await new Promise<void>((r) => dev.close(() => r()));
    con.close();
    rel.close();
  }
  return samples;
}

async function simLatency(n: number): Promise<number[]> {
  const rig = mcubootRig('bench-latency', { slotSize: 65536, sectorSize: 4096, timeScale: 1000 }, { baseline: 8000, candidate: 8000 });
  const board = await Board.open(rig, rig.boards[0]!);
  const sim = board.sim!;
  const samples: number[] = [];
  let lineAt = 0;
  let offAt = 0;
  sim.uart.on('tx', (b: Buffer) => {
    if (b.toString('utf8').includes('Firmware version')) lineAt = performance.now();
  });
  const powerOff = sim.powerOff.bind(sim);
  sim.powerOff = () => {
    offAt ||= performance.now();
    powerOff();
  };
  try {
    await board.install(board.images.baseline!);
    await board.power.cut();
    for (let i = 0; i < n; i++) {
      const from = board.console.lines.length;
      offAt = 0;
      await board.power.restore();
      await board.console.expect(/<inf> app: Firmware version/, { from, timeout: 5000 });
      await board.power.cut();
      samples.push(offAt - lineAt);
    }
  } finally {
    await board.close();
  }
  return samples;
}

export async function benchLatency(): Promise<void> {
  const sim = summary(await simLatency(200));
  figure('line → power off, sim: p50 / p99', `${ms(sim.p50)} / ${ms(sim.p99)} (n=${sim.n}, max ${ms(sim.max)})`);
  if (!hasSocat()) {
    figure('line → power off, serial relay', 'skipped: socat is not installed');
    return;
  }
  const r = summary(await relayLatency(200));
  figure('line → power off, LCUS relay on pty: p50 / p99', `${ms(r.p50)} / ${ms(r.p99)} (n=${r.n}, max ${ms(r.max)})`);
}
