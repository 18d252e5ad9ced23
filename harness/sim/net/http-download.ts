// Device-side HTTP GET for simulated firmware: streams the body to a callback with backpressure
// (the next chunk is read only after the callback's flash writes finished), and dies with the
// board: aborting the signal (power cut, warm reset) destroys the socket mid-transfer, exactly
// what the image server sees when a real board loses power.
import http from 'node:http';

export type DownloadErrorKind = 'bad-url' | 'http-status' | 'network' | 'truncated' | 'timeout' | 'too-large';

export class DownloadError extends Error {
  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadStart {
  status: number;
  /** From Content-Length; null when the server streams without one. */
  contentLength: number | null;
  /** Response headers, lower-case names (ESPhttpUpdate reads x-MD5). */
  headers: http.IncomingHttpHeaders;
}

export interface DownloadOptions {
  /** The device's life: aborting it kills the transfer and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the status line before any body byte. */
  onStart?: (start: DownloadStart) => void | Promise<void>;
  /** Called once per received chunk, in order; the transfer waits for it. */
  onChunk: (chunk: Uint8Array) => void | Promise<void>;
  /** Give up when the server sends nothing for this long (wall milliseconds). */
  idleTimeoutMs?: number;
  /** Refuse bodies larger than this (what fits the device's slot). */
  maxBytes?: number;
}

export interface DownloadResult {
  status: number;
  bytes: number;
  contentLength: number | null;
}

class CallbackFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('download callback failed');
  }
}

async function callback(fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    throw new CallbackFailed(e);
  }
}

export async function httpDownload(url: string, opts: DownloadOptions): Promise<DownloadResult> {
  const { signal } = opts;
  signal?.throwIfAborted();
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new DownloadError('bad-url', `invalid URL: ${url}`);
  }
  if (target.protocol !== 'http:') throw new DownloadError('bad-url', `unsupported scheme ${target.protocol} (only http:)`);

  // No agent: a pooled keep-alive socket would outlive the simulated board.
  const req = http.get(target, { agent: false, signal });
  let failure: Error | null = null;
  const failed = (): Error | null => failure; // set from event handlers, so not narrowed
  req.on('error', (e) => {
    failure ??= e;
  });
  if (opts.idleTimeoutMs !== undefined) {
    req.setTimeout(opts.idleTimeoutMs, () => {
      failure ??= new DownloadError('timeout', `no data for ${opts.idleTimeoutMs} ms`);
      req.destroy(failure);
    });
  }
  const fail = (e: unknown): never => {
    if (signal?.aborted) throw signal.reason;
    if (e instanceof DownloadError) throw e;
    throw new DownloadError('network', (e as Error)?.message ?? String(e));
  };

  let res: http.IncomingMessage;
  try {
    res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
      req.once('close', () => reject(failure ?? new Error('connection closed before a response')));
    });
  } catch (e) {
    return fail(failure ?? e);
  }

  const status = res.statusCode ?? 0;
  const header = res.headers['content-length'];
  const contentLength = header !== undefined && /^\d+$/.test(header) ? Number(header) : null;
  try {
    if (status < 200 || status > 299) {
      throw new DownloadError('http-status', `HTTP ${status}${res.statusMessage ? ' ' + res.statusMessage : ''}`, status);
    }
    if (opts.maxBytes !== undefined && contentLength !== null && contentLength > opts.maxBytes) {
      throw new DownloadError('too-large', `${contentLength} bytes exceed the ${opts.maxBytes}-byte limit`);
    }
    await callback(() => opts.onStart?.({ status, contentLength, headers: res.headers }));
    let bytes = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      bytes += chunk.length;
      if (opts.maxBytes !== undefined && bytes > opts.maxBytes) {
        throw new DownloadError('too-large', `more than ${opts.maxBytes} bytes`);
      }
      await callback(() => opts.onChunk(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    }
    signal?.throwIfAborted();
    const late = failed();
    if (late) throw late;
    if (!res.complete || (contentLength !== null && bytes !== contentLength)) {
      throw new DownloadError('truncated', `connection closed after ${bytes}${contentLength !== null ? ` of ${contentLength}` : ''} bytes`);
    }
    return { status, bytes, contentLength };
  } catch (e) {
    // The callback's own errors (a flash fault, a power cut) are the caller's business.
    if (e instanceof CallbackFailed) throw e.cause;
    return fail(failure ?? e);
  } finally {
    // Always release the socket, also when the callback threw (a flash error, a power cut).
    res.destroy();
    req.destroy();
  }
}

/** A small GET (a manifest), as text; dies with the board like any download. */
export async function httpGetText(url: string, signal?: AbortSignal, maxBytes = 64 * 1024): Promise<string> {
  const parts: Uint8Array[] = [];
  await httpDownload(url, { signal, maxBytes, idleTimeoutMs: 10_000, onChunk: (c) => void parts.push(c.slice()) });
  return Buffer.concat(parts).toString('utf8');
}
