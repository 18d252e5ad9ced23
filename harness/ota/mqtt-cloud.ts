// The harness's own MQTT client, playing the cloud for one board: the broker for the run (shared,
// see fleet/broker.ts), the board's online status (retained "online", will "offline"), retained
// publishes, and Mongoose OS RPC calls over MQTT (requests to <device.id>/rpc, answers on
// <our id>/rpc). Topic names follow what the boards' firmware is configured with.
import type { MqttClient } from 'mqtt';
import type { MqttConfig } from '../rig/schema.ts';
import { acquireBroker, type BrokerHandle } from '../fleet/broker.ts';
import { RpcError } from './mos-rpc.ts';
import { OtaError } from './transport.ts';
import { Replies, Waiters } from '../waiters.ts';

export const statusTopic = (id: string): string => `ota-hil/things/${id}/status`;
const STEP_MS = 10_000;
let clients = 0;

interface RpcReply {
  id?: number;
  result?: unknown;
  error?: { code: number; message?: string };
}

export class MqttCloud {
  private client: MqttClient | null = null;
  private broker: BrokerHandle | null = null;
  private readonly handlers = new Map<string, (payload: Buffer) => void>();
  private readonly replies = new Replies<number, RpcReply>();
  private nextId = 1;
  private online = false;
  /** Pending calls, re-sent when the board comes (back) online: see call(). */
  private readonly resend = new Set<() => void>();
  private readonly waiters = new Waiters();
  readonly clientId = `ota-hil-${process.pid}-${++clients}`;

  constructor(
    private readonly config: MqttConfig | undefined,
    readonly deviceId: string,
    private readonly what: string,
    private readonly note: (t: string) => void,
  ) {}

  /** The broker (started if embedded), for provisioning the board before it powers on. */
  async brokerInfo(): Promise<BrokerHandle> {
    this.broker ??= await acquireBroker(this.config);
    return this.broker;
  }

  /** Connected, subscribed to the board's status and our RPC replies. */
  async connect(): Promise<MqttClient> {
    if (this.client) return this.client;
    const b = await this.brokerInfo();
    const { default: mqtt } = await import('mqtt'); // loaded by the first cloud board, not with the rig
    const client = mqtt.connect(b.url, { clientId: this.clientId, username: b.username, password: b.password, reconnectPeriod: 500, connectTimeout: STEP_MS });
    this.client = client;
    client.on('message', (topic, payload) => this.handlers.get(topic)?.(payload));
    this.handlers.set(statusTopic(this.deviceId), (p) => {
      const was = this.online;
      this.online = p.toString('utf8') === 'online';
      if (this.online !== was) this.note(`mqtt: ${this.deviceId} is ${this.online ? 'online' : 'offline'}`);
      if (this.online && !was) for (const again of [...this.resend]) again();
      this.waiters.notify();
    });
    this.handlers.set(`${this.clientId}/rpc`, (p) => {
      try {
        const r = JSON.parse(p.toString('utf8')) as RpcReply;
        if (r.id !== undefined) this.replies.settle(r.id, r);
      } catch {
        // not an answer of ours
      }
    });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new OtaError(`${this.what}: no connection to the MQTT broker ${b.url} within ${STEP_MS} ms`)), STEP_MS);
      client.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
      client.once('error', (e) => {
        clearTimeout(t);
        reject(new OtaError(`${this.what}: MQTT broker ${b.url}: ${e.message}`));
      });
    });
    await client.subscribeAsync([...this.handlers.keys()], { qos: 1 });
    return client;
  }

  async subscribe(topic: string, fn: (payload: Buffer) => void): Promise<void> {
    const c = await this.connect();
    this.handlers.set(topic, fn);
    await c.subscribeAsync(topic, { qos: 1 });
  }

  async publish(topic: string, payload: unknown, retain = false): Promise<void> {
    const c = await this.connect();
    await c.publishAsync(topic, payload === '' ? '' : JSON.stringify(payload), { qos: 1, retain });
  }

  /** Resolves when the board says it is online (its retained status), rejects after `timeoutMs`. */
  async waitOnline(timeoutMs: number): Promise<void> {
    await this.connect();
    await this.waiters.until(
      () => this.online || undefined,
      timeoutMs,
      () => new OtaError(`${this.what}: ${this.deviceId} did not come online on the broker within ${timeoutMs} ms`),
    );
  }

  /**
   * One Mongoose OS RPC over MQTT. The board's session is clean, so a request published while it
   * is down is lost, and its retained "online" still stands until the broker gives its will (a
   * rebooting board's socket may outlive the request; a real one's will waits for the keepalive).
   * So the request goes again each time the board comes back online until answered (same id;
   * the first answer counts), as a cloud retries once the device reconnects.
   */
  async call(method: string, args?: unknown, timeoutMs = STEP_MS): Promise<unknown> {
    const c = await this.connect();
    const id = this.nextId++;
    const reply = this.replies.next(id, timeoutMs);
    const frame = JSON.stringify({ id, src: this.clientId, method, ...(args === undefined ? {} : { args }) });
    const send = () => c.publishAsync(`${this.deviceId}/rpc`, frame, { qos: 1 });
    const again = () => {
      this.note(`mqtt: ${this.deviceId} back online, ${method} (id ${id}) sent again`);
      send().catch(() => undefined); // a failed resend leaves the wait to time out
    };
    this.resend.add(again);
    let r: RpcReply | undefined;
    try {
      await send();
      r = await reply;
    } finally {
      this.resend.delete(again);
    }
    if (!r) throw new Error(`${this.what}: ${method}: no response within ${timeoutMs} ms`);
    if (r.error) throw new RpcError(`${this.what}: ${method} failed: ${r.error.message ?? ''} (code ${r.error.code})`, r.error.code);
    return r.result;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(true).catch(() => undefined);
    await this.broker?.release();
    this.broker = null;
  }
}
