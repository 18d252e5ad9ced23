// esp_https_ota as a simple OTA example app drives it: connect, log the target partition, stream
// the body through esp_ota_write in buffer-sized blocks, esp_ota_end (validates),
// esp_ota_set_boot_partition, then esp_restart. Plain HTTP only (the sim has no TLS).
import type { DeviceContext } from '../../stack.ts';
import { PowerLoss } from '../../flash.ts';
import { DownloadError, httpDownload } from '../../net/http-download.ts';
import type { EspLog } from './esp-log.ts';
import { EspError, type EspOta, type OtaHandle } from './ota-ops.ts';

/** esp_https_ota's receive buffer: each esp_ota_write gets at most this many bytes. */
const OTA_BUF_SIZE = 1024;
export const APP_TAG = 'ota_hil';

export async function httpsOta(ctx: DeviceContext, ota: EspOta, log: EspLog, url: string): Promise<boolean> {
  log('I', APP_TAG, `Attempting to download update from ${url}`);
  const target = ota.nextUpdatePartition();
  if (!target) {
    log('E', 'esp_https_ota', 'Passive OTA partition not found');
    log('E', APP_TAG, 'Firmware upgrade failed');
    return false;
  }
  let handle: OtaHandle | null = null;
  const buf = new Uint8Array(OTA_BUF_SIZE);
  let fill = 0;
  const flush = async () => {
    handle ??= await ota.begin(target, 'sequential');
    await ota.write(handle, buf.slice(0, fill));
    fill = 0;
  };
  try {
    await httpDownload(url, {
      signal: ctx.signal,
      maxBytes: target.size,
      idleTimeoutMs: Math.max(60_000 / ctx.config.timeScale, 5_000),
      onStart: () => {
        log('I', 'esp_https_ota', 'Starting OTA...');
        log('I', 'esp_https_ota', `Writing to <${target.label}> partition at offset 0x${target.offset.toString(16)}`);
      },
      onChunk: async (chunk) => {
        for (let o = 0; o < chunk.length; ) {
          const n = Math.min(chunk.length - o, OTA_BUF_SIZE - fill);
          buf.set(chunk.subarray(o, o + n), fill);
          fill += n;
          o += n;
          if (fill === OTA_BUF_SIZE) await flush();
        }
      },
    });
    if (fill > 0) await flush();
    if (!handle) throw new EspError('ESP_FAIL', 'empty image');
    try {
      await ota.end(handle);
    } catch (e) {
      if (e instanceof EspError && e.err === 'ESP_ERR_OTA_VALIDATE_FAILED') log('E', 'esp_https_ota', 'Image validation failed, image is corrupted');
      throw e;
    }
    try {
      await ota.setBootPartition(target);
    } catch (e) {
      if (e instanceof EspError) log('E', 'esp_https_ota', `esp_ota_set_boot_partition failed! err=0x${e.code.toString(16)}`);
      throw e;
    }
  } catch (e) {
    // A power cut or a reset ends this boot; anything else is a failed update on a running app.
    if (ctx.signal.aborted || e instanceof PowerLoss) throw e;
    const open = handle as OtaHandle | null; // assigned inside the download callbacks
    if (open?.open) ota.abort(open);
    if (e instanceof DownloadError && (e.kind === 'truncated' || e.kind === 'network') && handle) log('E', APP_TAG, 'Complete data was not received.');
    else if (!(e instanceof EspError)) log('E', 'esp_https_ota', (e as Error).message);
    log('E', APP_TAG, `Firmware upgrade failed${e instanceof EspError ? ` (${e.err})` : ''}`);
    return false;
  }
  log('I', APP_TAG, 'OTA Succeed, Rebooting...');
  await ota.drain();
  return ota.restartNow();
}
