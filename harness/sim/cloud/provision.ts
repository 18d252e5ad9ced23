// What a device's own configuration says about its cloud (Mongoose OS mqtt.server and device.id,
// a Particle device's cloud keys, an ota-http-client poll URL): flashed with the firmware on a
// real board; given to a simulated board with its build settings. The harness sets it once, when
// the board is made, and never reads anything back through it.
export interface CloudProvision {
  /** device.id: the MQTT client id and the topics' device part. */
  deviceId: string;
  mqtt?: {
    url: string;
    username?: string;
    password?: string;
    /** Follow the device shadow: desired.ota → pull the image over HTTP → report. */
    shadow?: boolean;
    /** Serve Mongoose OS RPC over MQTT (<device.id>/rpc). */
    rpc?: boolean;
  };
  /** ota-http-client: check `url` every `intervalS` simulated seconds for a newer version. */
  poll?: { url: string; intervalS: number };
}
