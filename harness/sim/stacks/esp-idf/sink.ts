// The app's UpdateSink for the device sides of pushed transports (HTTP push, ...): the same
// esp_ota_* calls the pull path makes, with the size the transport announces up front, so an
// image is erased, written, validated and activated exactly as an ESP-IDF app would.
import type { UpdateSink } from '../../update-sink.ts';
import type { EspLog } from './esp-log.ts';
import { EspError, type EspOta, type OtaHandle } from './ota-ops.ts';
import type { PartitionEntry } from './partition-table.ts';
import { stateName } from './otadata.ts';
import { APP_TAG } from './https-ota.ts';

export function otaSink(ota: EspOta, log: EspLog): UpdateSink {
  let handle: OtaHandle | null = null;
  let target: PartitionEntry | null = null;
  let ended = false;
  return {
    async begin(size) {
      if (handle?.open) throw new EspError('ESP_ERR_INVALID_STATE', 'an update is already in progress');
      target = ota.nextUpdatePartition();
      if (!target) throw new EspError('ESP_ERR_NOT_FOUND', 'no OTA app partition');
      ended = false;
      log('I', APP_TAG, `Writing to <${target.label}> partition at offset 0x${target.offset.toString(16)}`);
      handle = await ota.begin(target, size > 0 ? size : 'unknown');
    },
    async write(offset, data) {
      if (!handle?.open) throw new EspError('ESP_ERR_INVALID_ARG', 'esp_ota_begin was not called');
      if (offset !== handle.wrote) throw new EspError('ESP_ERR_INVALID_ARG', `write at ${offset}, expected ${handle.wrote} (sequential only)`);
      await ota.write(handle, data);
    },
    async end() {
      if (!handle || !target) throw new EspError('ESP_ERR_INVALID_ARG', 'esp_ota_begin was not called');
      await ota.end(handle);
      await ota.setBootPartition(target);
      ended = true;
    },
    abort(reason) {
      if (handle?.open) ota.abort(handle);
      log('E', APP_TAG, `OTA aborted: ${reason}`);
      return Promise.resolve();
    },
    async activate() {
      if (!ended) throw new EspError('ESP_ERR_INVALID_ARG', 'no finished update to activate');
      log('I', APP_TAG, 'OTA Succeed, Rebooting...');
      await ota.drain(); // let the UART drain before esp_restart
      return ota.restartNow();
    },
    async commit() {
      const rc = await ota.markValid();
      log('I', APP_TAG, rc === 'marked' ? 'esp_ota_mark_app_valid_cancel_rollback: app marked valid' : 'App already valid (ESP_OTA_IMG_VALID)');
    },
    async revert() {
      await ota.markInvalidAndReboot();
    },
    bootState() {
      const state = ota.stateOrNull(ota.running);
      return {
        running: ota.running.label,
        state: state === null ? null : stateName(state),
        boot: ota.bootPartition()?.label ?? null,
        next: ota.nextUpdatePartition()?.label ?? null,
      };
    },
  };
}
