// Device side of ArduinoOTA (esp8266 core ArduinoOTA.cpp): UDP invitation, AUTH nonce and MD5
// challenge when a password is set, "OK" or "ERR: ..." once the updater has begun, then a TCP
// connection back to the host; each read is written and acknowledged with its decimal byte
// count, then "OK" after Update.end() (the core waits a second first so the two do not merge).
// The parsing is the device's own, as ArduinoOTA.cpp reads the packets (not the harness's codec).
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { UpdateSession, errorText, guard } from './session.ts';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
/** U_FLASH, U_FS (the core's U_SPIFFS) and U_AUTH. */
const Cmd = { FLASH: 0, FS: 100, AUTH: 200 } as const;

interface Invitation {
  cmd: number;
  port: number;
  size: number;
  md5: string;
}

/** `cmd port size md5`: numbers as parseInt reads them, the MD5 trimmed and 32 characters long. */
function readInvitation(text: string): Invitation | null {
  const [cmd, port, size, digest] = text.trim().split(/\s+/);
  const n = (x: string | undefined) => (x !== undefined && /^\d+$/.test(x) ? Number(x) : NaN);
  const inv = { cmd: n(cmd), port: n(port), size: n(size), md5: (digest ?? '').toLowerCase() };
  if ((inv.cmd !== Cmd.FLASH && inv.cmd !== Cmd.FS) || !(inv.port > 0) || !(inv.size > 0) || inv.md5.length !== 32) return null;
  return inv;
}

/** `200 cnonce response`: anything else (or lengths other than 32) sends the device back to idle. */
function readAuth(text: string): { cnonce: string; response: string } | null {
  const [cmd, cnonce, response] = text.trim().split(/\s+/);
  if (cmd !== String(Cmd.AUTH) || cnonce?.length !== 32 || response?.length !== 32) return null;
  return { cnonce, response };
}

export interface EspotaOptions {
  /** ArduinoOTA.setPassword. */
  password?: string;
}

/** A read that brings nothing for this long (wall ms, not time-scaled) fails the transfer. */
const RECEIVE_TIMEOUT_MS = 1000;

export function startEspota(s: UpdateSession, opts: EspotaOptions = {}): void {
  const { ctx } = s;
  const udp = dgram.createSocket('udp4');
  ctx.signal.addEventListener('abort', () => udp.close(), { once: true });
  let state: 'idle' | 'auth' | 'update' = 'idle';
  let invitation: Invitation | null = null;
  let peer: { address: string; port: number } | null = null;
  let nonce = '';
  let lastMicros = -1;
  const reply = (text: string) => {
    if (peer && !ctx.signal.aborted) udp.send(text, peer.port, peer.address);
  };
  udp.on('message', (msg, rinfo) => {
    const text = msg.toString('latin1');
    if (state === 'idle') {
      const inv = readInvitation(text);
      if (!inv) return;
      invitation = inv;
      peer = { address: rinfo.address, port: rinfo.port };
      if (opts.password) {
        // MD5(micros()): a fresh challenge per invitation, so a recorded answer never works twice.
        lastMicros = Math.max(lastMicros + 1, Math.floor(ctx.uptimeMs() * 1000));
        nonce = md5(String(lastMicros));
        state = 'auth';
        reply(`AUTH ${nonce}`);
        return;
      }
    } else if (state === 'auth') {
      const auth = readAuth(text);
      if (!auth || !invitation) {
        state = 'idle';
        return;
      }
      // setPassword keeps MD5(password); the challenge is MD5(that:nonce:cnonce).
      const expected = md5(`${md5(opts.password ?? '')}:${nonce}:${auth.cnonce}`);
      nonce = ''; // one answer per challenge
      if (auth.response !== expected) {
        ctx.print('OTA: Auth Failed');
        reply('Authentication Failed');
        state = 'idle';
        return;
      }
    } else return;
    state = 'update';
    const inv = invitation;
    void guard(ctx, () => run(s, inv, peer!, reply)).finally(() => {
      state = 'idle';
    });
  });
  udp.bind(0, '127.0.0.1', () => ctx.print(`ArduinoOTA ready at 127.0.0.1:${udp.address().port}`));
}

async function run(s: UpdateSession, inv: Invitation, peer: { address: string; port: number }, reply: (t: string) => void): Promise<void> {
  const { ctx, sink } = s;
  if (!s.claim('espota')) return reply(`ERR: an update over ${s.busy} is in progress`);
  try {
    await sink.begin(inv.size, { md5: inv.md5 });
  } catch (e) {
    await s.abort(errorText(e));
    ctx.print('OTA: Begin Failed');
    return reply(`ERR: ${errorText(e)}`);
  }
  reply('OK');
  ctx.print(inv.cmd === Cmd.FS ? 'Start updating filesystem' : 'Start updating sketch');
  await ctx.sleep(100);
  const socket = net.connect({ host: peer.address, port: inv.port });
  ctx.signal.addEventListener('abort', () => socket.destroy(), { once: true });
  socket.setNoDelay(true);
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    const reader = socket[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    while (total < inv.size) {
      const next = await Promise.race([
        reader.next(),
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), RECEIVE_TIMEOUT_MS).unref()),
      ]);
      if (next === 'timeout') throw new Error('Receive Failed');
      if (next.done) throw new Error(`connection closed after ${total}/${inv.size} bytes`);
      const data = next.value.subarray(0, inv.size - total);
      await sink.write(total, new Uint8Array(data));
      total += data.length;
      socket.write(String(data.length));
    }
    await sink.end();
    await ctx.sleep(1000);
    socket.end('OK');
    ctx.print('Update Success, rebooting');
    s.activate();
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    await s.abort(errorText(e));
    ctx.print(`OTA: Error: ${errorText(e)}`);
    if (!socket.destroyed) socket.end(`ERROR: ${errorText(e)}`);
  }
}
