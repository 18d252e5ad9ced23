// The seam between the device side of an OTA transport (HTTP push server, espota responder,
// SMP or Mongoose OS RPC on the console) and a simulated application: the app says how its
// stack stages, verifies and activates an image; the transport only moves bytes.

export interface UpdateSink {
  /** Prepare for an image of `size` bytes as the stack does (erase, open the passive slot). Rejects when refused. */
  begin(size: number, meta?: { md5?: string; filename?: string; sha256?: Uint8Array; commitTimeout?: number }): Promise<void>;
  /** Bytes at `offset`, in order. */
  write(offset: number, data: Uint8Array): Promise<void>;
  /** Every byte received: verify as the stack does and request activation. Rejects (with the stack's reason) when verification fails. */
  end(): Promise<void>;
  /** The transport failed midway: drop the partial image as the stack would. */
  abort(reason: string): Promise<void>;
  /** Whatever the stack does after a good update (reboot, wait for a reset, ...). */
  activate(): Promise<void>;
  /** Commit / revert / boot state, for transports that carry them (mcumgr, Mongoose OS RPC). */
  commit?(): Promise<void>;
  revert?(): Promise<void>;
  bootState?(): Record<string, unknown>;
  /** Image slots as mcumgr `image list` reports them (MCUboot). */
  slots?(): SlotState[];
  /** mcumgr `image test` / `image confirm <hash>`: upgrade to the image with `hash`, for one trial boot or for good. */
  request?(hash: Uint8Array, permanent: boolean): Promise<void>;
}

export interface SlotState {
  image: number;
  slot: number;
  version: string;
  hash: Uint8Array;
  bootable: boolean;
  pending: boolean;
  confirmed: boolean;
  active: boolean;
  permanent: boolean;
}
