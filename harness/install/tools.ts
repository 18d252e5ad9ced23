// Finding a flashing tool before anything is touched, and telling the user where to get it.
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

const HINTS: Record<string, string> = {
  esptool: 'pip install esptool',
  'esptool.py': 'pip install esptool',
  nrfjprog: "Nordic's nRF Command Line Tools (nrfjprog is being replaced by nrfutil)",
  nrfutil: "Nordic's nrfutil",
  pyocd: 'pip install pyocd',
  mcumgr: 'go install github.com/apache/mynewt-mcumgr-cli/mcumgr@latest',
  mos: 'the Mongoose OS mos tool (mongoose-os.com/docs)',
  'st-flash': 'apt-get install stlink-tools',
  openocd: 'apt-get install openocd',
  particle: 'npm install -g particle-cli',
};

export function toolHint(name: string): string {
  const h = HINTS[name];
  return h ? `; install it with: ${h}` : '';
}

/** The executable `tool` names (a path, or a name looked up on PATH), or undefined. */
export async function findTool(tool: string, envPath = process.env.PATH ?? ''): Promise<string | undefined> {
  const candidates = tool.includes('/') ? [tool] : envPath.split(path.delimiter).filter(Boolean).map((d) => path.join(d, tool));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}
