// The mask-ROM first stage of Espressif chips, shared by every stack that runs on them
// (ESP-IDF, MCUboot's Espressif port, Mongoose OS, rBoot, the ESP8266 Arduino core).
import type { LineClass } from './segment.ts';

// ESP32 family. Old ROMs print 'ets Jun  8 2016 00:22:57' then 'rst:0x1 (POWERON_RESET),boot:0x13';
// newer ones print 'ESP-ROM:esp32s3-20210327', 'Build:…', 'rst:0x1 (POWERON),boot:0x8'.
const ESP32_BANNER = /^(?:ESP-ROM:\S*|ets [A-Z][a-z]{2} +\d{1,2} \d{4}(?! *,\s*rst cause))/;
const ESP32_RESET = /^rst:(0x[0-9a-f]+) \(([^)]*)\)/i;
const ESP32_ROM_NOISE =
  /^(?:configsip:|clk_drv:|mode:(?:DIO|QIO|DOUT|QOUT|FAST_READ|SLOW_READ)\b|SPIWP:|load:0x|entry 0x|Saved PC:|ho \d+ tail|Octal Flash|waiting for download|flash read err|ets_main\.c \d+|invalid header:)/i;
/** The ROM could not load the second stage: the chip resets and tries again, forever. */
const ESP32_ROM_FAILURE = /^(?:flash read err\b|invalid header: 0x[0-9a-f]+|ets_main\.c \d+)/i;

// ESP8266: ' ets Jan  8 2013,rst cause:2, boot mode:(3,6)' then the ROM loader's own lines.
export const ESP8266_BANNER = /^ets Jan +8 2013, *rst cause:(\d+), *boot mode:\((\d+),(\d+)\)/;
const ESP8266_ROM_NOISE =
  /^(?:wdt reset$|load 0x[0-9a-f]+, len \d+, room \d+|tail \d+$|chksum 0x[0-9a-f]+|csum 0x[0-9a-f]+|ho \d+ tail \d+ room \d+|epc1=0x|rst cause:|csum err$|ets_main\.c)/i;
/** The ROM could not load the second stage (bad checksum): nothing runs. */
const ESP8266_ROM_FAILURE = /^(?:csum err|ets_main\.c\b)/;

export function esp8266RomFailure(t: string): string | null {
  const m = ESP8266_ROM_FAILURE.exec(t);
  return m ? `ROM cannot load the bootloader: ${m[0]}` : null;
}

export function esp32RomClass(t: string): LineClass | null {
  if (ESP32_BANNER.test(t)) return { rank: 0, boundary: true };
  if (/^Build:[A-Z][a-z]{2} +\d/.test(t)) return { rank: 0.2, boundary: false };
  if (ESP32_RESET.test(t)) return { rank: 0.5, boundary: true };
  if (ESP32_ROM_NOISE.test(t)) return { rank: 1, boundary: false };
  return null;
}

/** The ROM banner cut off mid-line ('ets Jan  8 '): a reset whose boot is not shown. */
const ESP8266_BANNER_CUT = /^ets(?: [A-Z][a-z]{0,2}(?: +\d{0,2}(?: \d{0,4},?(?: *rst(?: cause:\d*)?)?)?)?)?$/;

export function esp8266RomClass(t: string): LineClass | null {
  if (ESP8266_BANNER.test(t) || ESP8266_BANNER_CUT.test(t)) return { rank: 0, boundary: true };
  if (ESP8266_ROM_NOISE.test(t)) return { rank: 1, boundary: false };
  return null;
}

/** 'flash read err, 1000' etc.: the ROM failed to load the bootloader. */
export function esp32RomFailure(t: string): string | null {
  const m = ESP32_ROM_FAILURE.exec(t);
  return m ? `ROM cannot load the bootloader: ${m[0]}` : null;
}

/** 'RTC_SW_CPU_RST' from 'rst:0xc (RTC_SW_CPU_RST),boot:0x8 …'. */
export function esp32ResetReason(t: string): string | null {
  return ESP32_RESET.exec(t)?.[2] ?? null;
}

/** ESP8266 ROM reset cause and boot mode; boot mode 1 is UART download: no firmware runs. */
export function esp8266Rom(t: string): { cause: number; bootMode: number } | null {
  const m = ESP8266_BANNER.exec(t);
  return m ? { cause: Number(m[1]), bootMode: Number(m[2]) } : null;
}

/** Any first-stage ROM line of either family. */
export function isEspRomLine(t: string): boolean {
  return esp32RomClass(t) !== null || esp8266RomClass(t) !== null;
}
