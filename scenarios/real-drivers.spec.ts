// The console and the power switch across power cuts, checked against what the board itself
// printed. On rigs/sim-pty.json this runs through the real drivers: the console opens a
// pseudo-terminal behind a by-id style link that vanishes with the board's power and returns
// under a new /dev/pts path, and the supply is switched by the serial-relay driver through an LCUS
// relay. Elsewhere it is skipped: hardware keeps no record of what it printed, and the in-process
// UART delivers a cut life's last lines after the cut is noted, so lives cannot be told apart.
//   OTA_HIL_RIG=rigs/sim-pty.json npx playwright test scenarios/real-drivers.spec.ts
import { test, expect, type Board } from '../harness/index.ts';

/** Lines the simulated board prints from now on, straight off its UART, one array per life. */
function uartRecorder(board: Board) {
  const lives: string[][] = [];
  let partial = '';
  const onTx = (b: Buffer) => {
    const parts = (partial + b.toString('utf8')).split('\n');
    partial = parts.pop()!;
    // The console's own normalisation: no trailing \r, no control characters.
    lives.at(-1)?.push(...parts.map((p) => p.replace(/\r$/, '').replace(/[\u0000-\u0008\u000b-\u001f]/g, '')));
  };
  board.sim!.uart.on('tx', onTx);
  return {
    /** Call right before power comes back: what follows is the new life's output. */
    newLife: () => {
      partial = '';
      lives.push([]);
    },
    lives,
    stop: () => board.sim!.uart.off('tx', onTx),
  };
}

/** Console lines received from `since` (an event index) to the next 'power off' event. */
function consoleLife(board: Board, onEvent: number): string[] {
  const ev = board.console.events;
  const from = ev[onEvent]!.atLine;
  const off = ev.slice(onEvent + 1).find((e) => e.text.startsWith('power off'));
  return board.console.lines.slice(from, off?.atLine).map((l) => l.text);
}

const powerOnEvents = (board: Board) => board.console.events.flatMap((e, i) => (e.text === 'power on' ? [i] : []));

/** The port must have gone with each cut and come back before the first line of the next life. */
function expectGapsAroundCuts(board: Board): void {
  const ev = board.console.events;
  const ons = powerOnEvents(board);
  for (let k = 1; k < ons.length; k++) {
    // The driver notes 'power off' once the relay has switched, so the loss may come first.
    const lost = ev.slice(ons[k - 1]! + 1, ons[k]).some((e) => e.text.startsWith('console lost'));
    expect(lost, `'console lost' between power-on events ${ons[k - 1]} and ${ons[k]} (console.log)`).toBe(true);
    const back = ev.slice(ons[k]).find((e) => /^console back \(\/dev\/\S+\)$/.test(e.text));
    expect(back, `'console back' after power-on event ${ons[k]}`).toBeDefined();
    expect(back!.atLine, 'the port was back before the first line of the new life').toBe(ev[ons[k]!]!.atLine);
  }
}

const PTY_ONLY = 'needs a simulated board whose console vanishes with its power (sim.uart "pty", rigs/sim-pty.json)';

test.describe('real drivers at a power cut', { tag: ['@real-drivers', '@power-cut'] }, () => {
  test('a cut mid-boot: the console port vanishes and returns, and no boot line is lost', async ({ board, images, report }) => {
    await report.notApplicable(board.config.sim?.uart !== 'pty', PTY_ONLY);
    await report.fault('power cut mid-boot; the USB-serial adapter loses power with the board');
    await board.install(images.baseline!);
    const uart = uartRecorder(board);
    try {
      await board.power.cut();
      uart.newLife();
      await board.power.restore();
      await board.console.expect(/\S/, { from: board.console.events.at(-1)!.atLine, timeout: 10_000 }); // the boot has begun
      await board.power.cut();
      uart.newLife();
      await board.power.restore();
      await expect(board).toBoot({ version: images.baseline!.version, event: 'normal' });
      const printed = [...uart.lives.at(-1)!];
      const lastOn = powerOnEvents(board).at(-1)!;
      await board.console.waitFor(() => (consoleLife(board, lastOn).length >= printed.length ? true : undefined), 5000, `all ${printed.length} lines of the last boot`);
      expect(consoleLife(board, lastOn).slice(0, printed.length), 'every line the board printed after the power came back, in order').toEqual(printed);
      expect(printed.length).toBeGreaterThan(3);
      expectGapsAroundCuts(board);
    } finally {
      uart.stop();
    }
  });

  test('quick cuts in a row: every life starts with its first line', async ({ board, images, report }) => {
    await report.notApplicable(board.config.sim?.uart !== 'pty', PTY_ONLY);
    await report.fault('three power cuts, each right after the first console line of a boot');
    await board.install(images.baseline!);
    const uart = uartRecorder(board);
    try {
      for (let i = 0; i < 3; i++) {
        await board.power.cut();
        uart.newLife();
        await board.power.restore();
        const from = board.console.events.at(-1)!.atLine;
        await board.console.expect(/\S/, { from, timeout: 10_000 });
      }
      await board.power.cut();
      const ons = powerOnEvents(board).slice(-3);
      ons.forEach((on, i) => {
        const got = consoleLife(board, on);
        const printed = uart.lives.at(i - 3)!;
        expect(got.length, `life ${i + 1} shows lines`).toBeGreaterThan(0);
        // A life cut short may lose its last lines in flight; never its first ones.
        expect(got, `life ${i + 1}: what the console got is what the board printed, from its first line`).toEqual(printed.slice(0, got.length));
      });
      expectGapsAroundCuts(board);
    } finally {
      uart.stop();
    }
  });
});
