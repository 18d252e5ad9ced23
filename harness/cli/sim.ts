// `ota-hil sim serve --rig FILE --board NAME [--image NAME]`: one simulated board on its own, so
// firmware developers can point their own tools at it. The console is a pseudo-terminal (socat
// pty pair: screen, picocom, mcumgr, mos open it like a USB serial adapter); network transports
// listen on loopback ports the board prints; power is switched by typing on, off or cycle here,
// or with SIGUSR1 (off) and SIGUSR2 (on). SIGINT/SIGTERM (or `quit`) stop it cleanly.
import type { ChildProcess } from 'node:child_process';
import { existsSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { SerialPortStream } from '@serialport/stream';
import { autoDetect } from '@serialport/bindings-cpp';
import { loadRig, RigError } from '../rig/load.ts';
import { loadImages } from '../fixtures/images.ts';
import { SimDevice } from '../sim/device.ts';
import { loadSimStack } from '../sim/registry.ts';
import { simDeviceConfig } from '../sim/stack.ts';
import { HTTP_PUSH_ADDRESS } from '../ota/http-push.ts';
import { ESPOTA_ADDRESS } from '../ota/espota.ts';
import { spawnTethered, stopTethered } from '../console/tether.ts';
import { ownedTempDir } from '../fixtures/temp-dirs.ts';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil sim serve --rig FILE --board NAME [--image NAME]
         ota-hil sim ops RIG BOARD [--json]
  serve   one simulated board on its own: its console on a pseudo-terminal (socat), network
          transports on loopback ports it prints, power typed here (on, off, cycle, quit) or sent
          as SIGUSR1 (off) / SIGUSR2 (on)
          --rig FILE     rig file (default rigs/sim.json)
          --board NAME   board (default: the rig's first simulated board)
          --image NAME   image installed first (default: baseline)
  ops     the flash operations of one update per phase, and the power-loss windows
`;

export async function simCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'ops') return (await import('./sim-ops.ts')).opsCommand(rest, io);
  if (sub === '--help' || sub === '-h' || sub === 'help' || (sub === 'serve' && (rest.includes('--help') || rest.includes('-h')))) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (sub !== 'serve') {
    io.stderr.write(USAGE);
    return 2;
  }
  const opt = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const rigFile = opt('--rig') ?? 'rigs/sim.json';
  const boardName = opt('--board');
  try {
    const rig = loadRig(rigFile);
    const board = boardName ? rig.boards.find((b) => b.name === boardName) : rig.boards.find((b) => b.sim);
    if (!board) throw new Error(`${rig.file}: no board named ${JSON.stringify(boardName)} (boards: ${rig.boards.map((b) => b.name).join(', ')})`);
    if (!board.sim) throw new Error(`${rig.file}: board ${board.name} is not simulated (it has no "sim" section)`);
    const images = await loadImages(rig, board);
    const imageName = opt('--image') ?? ('baseline' in images ? 'baseline' : Object.keys(images)[0]);
    const image = imageName ? images[imageName] : undefined;
    if (imageName && !image) throw new Error(`${rig.file}: no image named ${imageName}`);
    const stack = await loadSimStack(board.stack, board.name);
    const device = new SimDevice(board.name, stack, simDeviceConfig(board));
    if (image) stack.install(device.flash, image.bytes, board.sim);
    return await serve(io, device, image ? `${image.name} ${image.version}` : 'erased flash');
  } catch (e) {
    io.stderr.write(`ota-hil sim serve: ${e instanceof RigError || e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

const SOCAT_START_MS = 30_000;

async function serve(io: CliIo, device: SimDevice, installed: string): Promise<number> {
  const dir = ownedTempDir('sim', device.name);
  const devEnd = path.join(dir, 'device');
  const userEnd = path.join(dir, 'tty');
  const socat: ChildProcess = spawnTethered('socat', [`pty,raw,echo=0,link=${devEnd}`, `pty,raw,echo=0,link=${userEnd}`], 'ignore');
  const spawnFailed = new Promise<Error>((resolve) => {
    socat.once('error', resolve);
    socat.once('exit', (code) => resolve(new Error(`socat exited (${code})`)));
  });
  // A guard, not a budget: socat makes the pair in milliseconds, but a loaded host (CI) can take seconds to start it.
  const deadline = performance.now() + SOCAT_START_MS;
  while (!(existsSync(devEnd) && existsSync(userEnd)) && performance.now() < deadline) {
    const failed = await Promise.race([spawnFailed, new Promise<null>((r) => setTimeout(() => r(null), 20))]);
    if (failed) throw new Error(`cannot start socat for the pseudo-terminal (${failed.message}); install it: apt-get install -y socat`);
  }
  if (!existsSync(userEnd)) throw new Error(`socat did not create the pseudo-terminal pair within ${SOCAT_START_MS} ms`);
  const port = new SerialPortStream({ binding: autoDetect(), path: devEnd, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const say = (t: string) => io.stdout.write(`[sim] ${t}\n`);

  // UART: device TX to the pty (and watched for the addresses it announces), pty to device RX.
  let partial = '';
  device.uart.on('tx', (b) => {
    port.write(b);
    const parts = (partial + b.toString('latin1')).split('\n');
    partial = parts.pop()!.slice(-4096);
    for (const line of parts) {
      const push = HTTP_PUSH_ADDRESS.exec(line);
      const ota = ESPOTA_ADDRESS.exec(line);
      if (push) say(`http-push: curl -F file=@fw.bin http://${push.groups!.host}:${push.groups!.port}/update`);
      if (ota) say(`espota: espota.py -i ${ota.groups!.host} -p ${ota.groups!.port} -f fw.bin`);
    }
  });
  port.on('data', (b: Buffer) => device.receive(b));

  const power = (on: boolean) => {
    if (on === device.powered) return say(`power already ${on ? 'on' : 'off'}`);
    if (on) device.powerOn();
    else device.powerOff();
    say(`power ${on ? 'on' : 'off'}`);
  };
  say(`board ${device.name} (${device.stack.name}) with ${installed}`);
  say(`console: ${realpathSync(userEnd)} (also ${userEnd}), 115200 8N1`);
  say('type on, off, cycle or quit; signals: SIGUSR1 power off, SIGUSR2 power on, SIGINT/SIGTERM stop');
  power(true);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const rl = readline.createInterface({ input: process.stdin });
    const stop = async (why: string) => {
      if (stopping) return;
      stopping = true;
      say(`stopping (${why})`);
      rl?.close();
      device.powerOff();
      await device.settled();
      await new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r()));
      stopTethered(socat);
      rmSync(dir, { recursive: true, force: true });
      for (const s of ['SIGINT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2'] as const) process.removeAllListeners(s);
      say('stopped');
      resolve(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGUSR1', () => power(false));
    process.on('SIGUSR2', () => power(true));
    socat.once('exit', () => void stop('the pseudo-terminal went away'));
    rl?.on('line', (l) => {
      const cmd = l.trim();
      if (cmd === 'on' || cmd === 'off') power(cmd === 'on');
      else if (cmd === 'cycle') {
        power(false);
        setTimeout(() => power(true), 100);
      } else if (cmd === 'quit' || cmd === 'exit') void stop(cmd);
      else if (cmd) say(`unknown command ${JSON.stringify(cmd)} (on, off, cycle, quit)`);
    });
  });
}
