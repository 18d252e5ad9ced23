// The device's half of Mongoose OS RPC over a UART (rpc-uart's channel, 2018 and later), written
// apart from the harness's client codec. Frames end at `"""` (the old delimiter; once seen, the
// channel answers in it too) or at a newline (the new one). A frame is JSON, optionally followed
// by metadata whose first field is the CRC-32 in hex; a bad CRC drops the frame, a good one makes
// the channel put CRCs on what it sends. A frame that is just EOF (0x04) is the host's knock and
// is answered `"""\x04"""`; an empty frame is answered with an empty line.
import { crc32 } from 'node:zlib';

const OLD = '"""';
const EOF = '\x04';
/** rpc.max_frame_size: a longer pending frame is dropped. */
const MAX_FRAME = 4096;

export type ChannelEvent = { kind: 'knock' } | { kind: 'empty' } | { kind: 'call'; json: string } | { kind: 'corrupt'; why: string };

export class MosUartChannel {
  private rx = '';
  /** Compat mode: the host used `"""`. */
  oldDelimiter = false;
  /** The host sent a CRC that matched: replies carry one too. */
  crcUsed = false;

  /** Bytes from the host; returns the frames they completed. */
  receive(text: string): ChannelEvent[] {
    this.rx += text;
    const out: ChannelEvent[] = [];
    for (;;) {
      let end = this.rx.indexOf(OLD);
      let skip = OLD.length;
      if (end >= 0) this.oldDelimiter = true;
      else {
        end = this.rx.indexOf('\n');
        skip = 1;
        if (end < 0) break;
      }
      const frame = this.rx.slice(0, end);
      this.rx = this.rx.slice(end + skip);
      out.push(this.classify(frame));
    }
    if (this.rx.length > MAX_FRAME + 2 * OLD.length) this.rx = '';
    return out;
  }

  /** True while an unfinished frame waits for its delimiter. */
  get midFrame(): boolean {
    return this.rx.trim().length > 0;
  }

  private classify(frame: string): ChannelEvent {
    if (frame.trim() === '') return { kind: 'empty' };
    if (frame === EOF) return { kind: 'knock' };
    const close = frame.lastIndexOf('}');
    const json = close >= 0 ? frame.slice(0, close + 1) : '';
    const meta = close >= 0 ? frame.slice(close + 1) : frame;
    if (meta.length >= 8) {
      const crcField = meta.split(',')[0]!.trim();
      const sent = /^[0-9a-fA-F]+$/.test(crcField) ? Number.parseInt(crcField, 16) : NaN;
      if (sent !== crc32(json)) return { kind: 'corrupt', why: `CRC ${crcField} does not match ${crc32(json).toString(16).padStart(8, '0')}` };
      this.crcUsed = true;
    }
    return json ? { kind: 'call', json } : { kind: 'corrupt', why: 'no JSON in the frame' };
  }

  /** The text the device sends for `json` (without the final newline, which a console print adds). */
  send(json: string): string {
    const crc = this.crcUsed ? crc32(json).toString(16).padStart(8, '0') : '';
    return this.oldDelimiter ? `${OLD}${json}${crc}${OLD}` : `${json}${crc}`;
  }

  /** The answer to the host's knock. */
  static readonly KNOCK_REPLY = `${OLD}${EOF}${OLD}`;
}
