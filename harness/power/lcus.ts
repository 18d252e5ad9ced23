// The LCUS relay protocol, shared by the USB-serial (CH340) and the USB HID variants.
// Switch frame: 0xA0, channel (1-8), 0x00 off / 0x01 on, checksum = low byte of the three summed.
// e.g. channel 1 on: A0 01 01 A2; channel 2 off: A0 02 00 A2.
// Multi-channel serial boards answer the status query byte 0xFF with text lines "CH1:ON".

export const LCUS_START = 0xa0;
export const LCUS_QUERY = 0xff;

export function lcusFrame(channel: number, on: boolean): Uint8Array {
  const f = Uint8Array.of(LCUS_START, channel, on ? 1 : 0, 0);
  f[3] = (f[0]! + f[1]! + f[2]!) & 0xff;
  return f;
}

/** Channel states from a status answer ("CH1:OFF\r\nCH2:ON \r\n"); empty when there is none. */
export function parseLcusStatus(text: string): Map<number, 'on' | 'off'> {
  const out = new Map<number, 'on' | 'off'>();
  for (const m of text.matchAll(/CH(\d+)\s*:\s*(ON|OFF)/gi)) out.set(Number(m[1]), m[2]!.toUpperCase() === 'ON' ? 'on' : 'off');
  return out;
}

export const hexBytes = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');
