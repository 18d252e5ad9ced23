// SLIP framing (RFC 1055) as the ESP ROM serial loader uses it: packets between 0xC0 bytes, 0xC0
// and 0xDB inside a packet escaped as DB DC and DB DD.
const END = 0xc0;
const ESC = 0xdb;

export function slipEncode(packet: Uint8Array): Buffer {
  const out: number[] = [END];
  for (const b of packet) {
    if (b === END) out.push(ESC, 0xdc);
    else if (b === ESC) out.push(ESC, 0xdd);
    else out.push(b);
  }
  out.push(END);
  return Buffer.from(out);
}

/** Bytes in, whole packets out; bytes outside a packet (console noise) are dropped. */
export class SlipDecoder {
  private packet: number[] | null = null;
  private escaped = false;

  push(bytes: Uint8Array): Uint8Array[] {
    const done: Uint8Array[] = [];
    for (const b of bytes) {
      if (b === END) {
        if (this.packet?.length) done.push(Uint8Array.from(this.packet));
        this.packet = [];
        this.escaped = false;
      } else if (this.packet) {
        if (this.escaped) {
          this.packet.push(b === 0xdc ? END : b === 0xdd ? ESC : b);
          this.escaped = false;
        } else if (b === ESC) this.escaped = true;
        else this.packet.push(b);
      }
    }
    return done;
  }
}
