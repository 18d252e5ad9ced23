// Mongoose OS RPC over a UART (mgos_rpc_channel_uart.c, and mos on the host side): JSON frames
// between `"""` delimiters, the JSON followed by its CRC-32 as 8 lowercase hex digits. The host
// opens the channel with EOF (0x04) framed as `\x04"""`; the device answers `"""\x04"""`. Bytes
// between frames (log lines, newlines) are ignored, which is why a console can carry both.

export const DELIM = '"""';
export const EOF_CHAR = '\x04';
/** What the host sends to open the channel, and what the device answers. */
export const HANDSHAKE_REQUEST = `${EOF_CHAR}${DELIM}`;
export const HANDSHAKE_REPLY = `${DELIM}${EOF_CHAR}${DELIM}`;

let table: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as zlib and cs_crc32 compute it). */
export function crc32(data: Uint8Array | string): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let crc = 0xffffffff;
  for (const b of bytes) crc = table[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface RpcFrame {
  id?: number;
  src?: string;
  dst?: string;
  method?: string;
  args?: unknown;
  result?: unknown;
  error?: { code: number; message?: string };
}

export function frameRpc(frame: RpcFrame): string {
  const json = JSON.stringify(frame);
  return `${DELIM}${json}${crc32(json).toString(16).padStart(8, '0')}${DELIM}`;
}

/** The newer framing (rpc-uart since 2018, what `mos` sends today): one frame per line, CRC after the JSON. */
export function frameRpcLine(frame: RpcFrame): string {
  const json = JSON.stringify(frame);
  return `${json}${crc32(json).toString(16).padStart(8, '0')}\n`;
}

export type Deframed = { kind: 'handshake' } | { kind: 'frame'; frame: RpcFrame } | { kind: 'corrupt'; why: string };

/** Splits a byte stream into frames exactly as the device's dispatcher does. */
export class RpcDeframer {
  private buf = '';

  push(text: string): Deframed[] {
    this.buf += text;
    const out: Deframed[] = [];
    for (let end = this.buf.indexOf(DELIM); end >= 0; end = this.buf.indexOf(DELIM)) {
      const f = this.buf.slice(0, end);
      this.buf = this.buf.slice(end + DELIM.length);
      if (f.replace(/^[\r\n]+/, '') === EOF_CHAR) out.push({ kind: 'handshake' }); // line breaks from a console in between
      else if (f.length) {
        const d = parseFrame(f);
        if (d) out.push(d);
      }
    }
    if (this.buf.length > 1 << 20) this.buf = ''; // an oversized frame is dropped, as on the device
    return out;
  }

  /** True while part of a frame has been seen (an opening delimiter without its close). */
  get pending(): boolean {
    return this.buf.includes('{');
  }
}

/** Newline framing: each line that holds a JSON object is a frame; console log lines are not. */
export class RpcLineDeframer {
  private buf = '';

  push(text: string): Deframed[] {
    this.buf += text;
    const out: Deframed[] = [];
    for (let end = this.buf.indexOf('\n'); end >= 0; end = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, end).replace(/\r$/, '');
      this.buf = this.buf.slice(end + 1);
      if (line.startsWith('{')) {
        const d = parseFrame(line);
        if (d) out.push(d);
      }
    }
    if (this.buf.length > 1 << 20) this.buf = '';
    return out;
  }
}

function parseFrame(f: string): Deframed | null {
  const close = f.lastIndexOf('}');
  if (close < 0) return null; // garbage between frames
  const json = f.slice(0, close + 1);
  const meta = f.slice(close + 1).trim();
  if (meta.length >= 8) {
    const want = Number.parseInt(meta.slice(0, 8), 16);
    if (!/^[0-9a-fA-F]{8}/.test(meta) || want !== crc32(json)) return { kind: 'corrupt', why: `CRC mismatch (${meta} vs ${crc32(json).toString(16)})` };
  }
  const start = json.indexOf('{');
  try {
    return { kind: 'frame', frame: JSON.parse(json.slice(start)) as RpcFrame };
  } catch (e) {
    return { kind: 'corrupt', why: `bad JSON: ${(e as Error).message}` };
  }
}
