// How this simulated board's console looks (rig sim.logFormat), as real ESP-IDF builds print it:
// esp-idf-plain, 'I (27) boot: …' (CONFIG_LOG_COLORS off, the default here); esp-idf-colour, the
// same lines in ANSI colours as idf.py monitor shows them raw (E red, W yellow, I green); and
// esp-idf-silent, a 2nd stage bootloader built with its log level at none: the ROM's lines, then
// the app's, which names the partition it runs from itself.
import type { DeviceContext } from '../../stack.ts';

const COLOURS: Record<string, string> = { E: '31', W: '33', I: '32' };
/** Tags the 2nd stage bootloader logs under: a silent build prints none of them. */
const BOOTLOADER_TAGS = /^[EWID] \(\d+\) (?:boot(?:\.[\w-]+)?|esp_image|boot_comm|qio_mode|flash_encrypt|secure_boot\w*|bootloader_\w+): /;

export function espIdfConsole(ctx: DeviceContext): DeviceContext {
  const format = ctx.config.logFormat ?? 'esp-idf-plain';
  if (format === 'esp-idf-colour') {
    return {
      ...ctx,
      print: (line) => {
        const c = COLOURS[line[0] ?? ''];
        ctx.print(c && /^[EWI] \(/.test(line) ? `\x1b[0;${c}m${line}\x1b[0m` : line);
      },
    };
  }
  if (format === 'esp-idf-silent') return { ...ctx, print: (line) => (BOOTLOADER_TAGS.test(line) ? undefined : ctx.print(line)) };
  return ctx;
}
