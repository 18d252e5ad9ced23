// Device side of HTTP push: POST /update with a multipart body, streamed into the update sink as
// it arrives (a cut mid-upload leaves exactly what arrived), as ESP8266HTTPUpdateServer and
// Mongoose OS ota-http-server accept it (`curl -F file=@fw.bin http://ADDR/update`). Mongoose's
// /update/commit and /update/revert are there when the stack has commit and revert.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpdateSession, errorText, guard } from './session.ts';

const FORM = `<html><body><form method='POST' action='' enctype='multipart/form-data'><input type='file' name='firmware'><input type='submit' value='Update'></form></body></html>`;

export interface HttpPushOptions {
  /**
   * The console line that tells where the server listens (the harness finds the URL in it). A stack
   * whose real firmware prints its own line passes it here (ESP8266 Arduino: the HTTPUpdateServer
   * example's); the default names no stack.
   */
  announce?: (url: string) => string;
}

const NEUTRAL = (url: string) => `update server listening on ${url}`;

export function startHttpPush(s: UpdateSession, opts: HttpPushOptions = {}): void {
  const { ctx } = s;
  const server = http.createServer((req, res) => void guard(ctx, () => handle(s, req, res)));
  ctx.signal.addEventListener('abort', () => { server.close(); server.closeAllConnections(); }, { once: true });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    ctx.print((opts.announce ?? NEUTRAL)(`http://127.0.0.1:${port}/update`));
  });
}

/** Whether the stack offers an optional operation (Mongoose OS has commit and revert). */
const has = (s: UpdateSession, op: 'commit' | 'revert'): boolean => typeof (s.sink as unknown as Record<string, unknown>)[op] === 'function';

async function handle(s: UpdateSession, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const mongoose = has(s, 'commit');
  const url = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && url === '/update') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(FORM);
  if (req.method === 'POST' && (url === '/update/commit' || url === '/update/revert')) {
    const commit = url.endsWith('commit');
    if (!has(s, commit ? 'commit' : 'revert')) return void res.writeHead(404).end('Not Found');
    await (commit ? s.sink.commit?.() : s.sink.revert?.());
    return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Ok');
  }
  if (req.method !== 'POST' || url !== '/update') return void res.writeHead(404).end('Not Found');
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] ?? '');
  const length = Number(req.headers['content-length']);
  if (!boundary) return void res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Update error: not a multipart upload');
  if (!Number.isFinite(length)) return void res.writeHead(411).end('Length Required');
  // One upload at a time: a second one, even over http-push, would write over the first.
  if (s.busy || !s.claim('http-push')) return void res.writeHead(409, { 'Content-Type': 'text/plain', Connection: 'close' }).end(`Update error: an update over ${s.busy} is in progress`);

  const reply = (status: number, text: string) => {
    if (!res.headersSent) res.writeHead(status, { 'Content-Type': mongoose ? 'text/plain' : 'text/html', Connection: 'close' }).end(text);
  };
  try {
    const size = await receive(s, req, `--${boundary[1] ?? boundary[2]!}`, length);
    await s.sink.end();
    s.ctx.print(`Update Success: ${size}`);
    s.ctx.print('Rebooting...');
    reply(200, mongoose ? 'Update applied, finalizing' : '<META http-equiv="refresh" content="15;URL=/">Update Success! Rebooting...');
    await new Promise<void>((resolve) => res.once('finish', resolve));
    s.activate();
  } catch (e) {
    if (s.ctx.signal.aborted) throw e;
    await s.abort(errorText(e));
    s.ctx.print(`Update error: ${errorText(e)}`);
    reply(mongoose ? 500 : 200, `Update error: ${errorText(e)}`);
    req.resume();
  }
}

/** Longest part header block accepted: the parser must not hold an upload that never ends its headers. */
const MAX_PART_HEADERS = 16 * 1024;

/**
 * Streams the first file part into the sink; returns its size. Other fields are skipped. Linear in
 * the upload: while looking for a delimiter only a delimiter's length of unmatched bytes is kept.
 */
async function receive(s: UpdateSession, req: http.IncomingMessage, delimiter: string, contentLength: number): Promise<number> {
  const open = Buffer.from(`${delimiter}\r\n`);
  const next = Buffer.from(`\r\n${delimiter}`);
  const closing = next.length + 4; // "\r\n--B--\r\n"
  let buf: Buffer = Buffer.alloc(0);
  let consumed = 0; // bytes of the body dropped from buf so far
  let state: 'preamble' | 'headers' | 'file' | 'field' = 'preamble';
  let written = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (state === 'preamble' || state === 'field') {
        const delim = state === 'preamble' ? open : next;
        const at = buf.indexOf(delim);
        if (at < 0) {
          const keep = Math.min(buf.length, delim.length - 1);
          consumed += buf.length - keep;
          buf = buf.subarray(buf.length - keep);
          break;
        }
        const skip = at + (state === 'preamble' ? open.length : next.length + 2);
        consumed += skip;
        buf = buf.subarray(skip);
        state = 'headers';
      } else if (state === 'headers') {
        const at = buf.indexOf('\r\n\r\n');
        if (at < 0) {
          if (buf.length > MAX_PART_HEADERS) throw new Error(`part headers longer than ${MAX_PART_HEADERS} bytes`);
          break;
        }
        const headers = buf.subarray(0, at).toString('latin1');
        consumed += at + 4;
        buf = buf.subarray(at + 4);
        const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
        if (filename === undefined) {
          state = 'field';
          continue;
        }
        state = 'file';
        s.ctx.print(`Update: ${filename}`);
        await s.sink.begin(contentLength - consumed - closing, { filename });
      } else {
        const at = buf.indexOf(next);
        const safe = at >= 0 ? at : Math.max(0, buf.length - next.length);
        if (safe > 0) {
          const data = Uint8Array.prototype.slice.call(buf, 0, safe);
          await s.sink.write(written, data);
          written += safe;
          consumed += safe;
          buf = buf.subarray(safe);
        }
        if (at >= 0) return written;
        break;
      }
    }
  }
  throw new Error(state === 'file' ? `upload ended after ${written} bytes` : 'no file in the upload');
}
