// The ArduinoOTA / espota.py protocol (esp8266 core, libraries/ArduinoOTA and tools/espota.py):
//   host → device UDP  "<cmd> <hostTcpPort> <size> <md5>\n"   cmd 0 = flash, 100 = filesystem
//   device → host UDP  "OK", or "AUTH <nonce>" when a password is set, or "ERR: <reason>"
//   host → device UDP  "200 <cnonce> <md5(md5(password):nonce:cnonce)>\n"
//   device → host UDP  "OK" | "Authentication Failed"
//   device connects back over TCP; host streams ≤1460-byte chunks; the device answers each read
//   with the decimal count it wrote, then "OK" after Update.end(), or the updater's error text.
import { createHash } from 'node:crypto';

export const ESPOTA_PORT = 8266;
export const Cmd = { FLASH: 0, FS: 100, AUTH: 200 } as const;

export const md5hex = (data: Uint8Array | string): string => createHash('md5').update(data).digest('hex');

export interface Invitation {
  cmd: number;
  port: number;
  size: number;
  md5: string;
}

export function formatInvitation(i: Invitation): string {
  return `${i.cmd} ${i.port} ${i.size} ${i.md5}\n`;
}

/** Parses an invitation as ArduinoOTA does: null when the device would ignore it. */
export function parseInvitation(text: string): Invitation | null {
  const m = /^(\d+) (\d+) (\d+) ([0-9a-fA-F]{32})\s*$/.exec(text);
  if (!m) return null;
  const cmd = Number(m[1]);
  if (cmd !== Cmd.FLASH && cmd !== Cmd.FS) return null;
  return { cmd, port: Number(m[2]), size: Number(m[3]), md5: m[4]!.toLowerCase() };
}

/** espota.py's cnonce: MD5 of filename, size, image MD5 and the device address, concatenated. */
export function clientNonce(filename: string, size: number, md5: string, remoteAddr: string): string {
  return md5hex(`${filename}${size}${md5}${remoteAddr}`);
}

/** The challenge answer both sides compute. */
export function authResponse(password: string, nonce: string, cnonce: string): string {
  return md5hex(`${md5hex(password)}:${nonce}:${cnonce}`);
}

export function formatAuth(cnonce: string, response: string): string {
  return `${Cmd.AUTH} ${cnonce} ${response}\n`;
}

export function parseAuth(text: string): { cnonce: string; response: string } | null {
  const m = /^200 ([0-9a-f]{32}) ([0-9a-f]{32})\s*$/.exec(text);
  return m ? { cnonce: m[1]!, response: m[2]! } : null;
}
