// How this simulated board's console looks (rig sim.logFormat), as real MCUboot builds print it:
// zephyr-minimal, the bootloader's 'I: ' lines (CONFIG_LOG_MODE_MINIMAL, the default here);
// zephyr-full, each bootloader line with its uptime stamp, level and module
// ('[00:00:00.012,345] <inf> mcuboot: …'); rtt, a J-Link RTT Viewer capture where every line of
// the board comes with its terminal channel ('00> '). The app logs in Zephyr's full format either way.
import type { DeviceContext } from '../../stack.ts';
import { stamp } from './zephyr-log.ts';

const LEVELS: Record<string, string> = { I: 'inf', W: 'wrn', E: 'err', D: 'dbg' };

export function mcubootConsole(ctx: DeviceContext): DeviceContext {
  const format = ctx.config.logFormat ?? 'zephyr-minimal';
  if (format === 'rtt') return { ...ctx, print: (line) => ctx.print(`00> ${line}`) };
  if (format !== 'zephyr-full') return ctx;
  const start = ctx.uptimeMs();
  return {
    ...ctx,
    print: (line) => {
      const m = /^([IWED]): (.*)$/.exec(line);
      ctx.print(m ? `${stamp(ctx.uptimeMs() - start)} <${LEVELS[m[1] ?? 'I']}> mcuboot: ${m[2]}` : line);
    },
  };
}
