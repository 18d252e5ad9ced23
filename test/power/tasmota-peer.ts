// A loopback Tasmota device, run as its own process: the HTTP command API as Tasmota answers it
// (GET /cm?cmnd=Power<N>[ On|Off|Toggle]; {"POWER":"ON"} on a one-relay device, {"POWER<N>":...}
// on a multi-relay one; {"Command":"Unknown"} for a relay it does not have; 401 without the web
// password when one is set). Args: relays password stuckRelay. Prints its port, then one line per
// switch ("relay 2 ON") so a test sees what the device did.
import http from 'node:http';

const [relays = '1', password = '', stuck = '0'] = process.argv.slice(2);
const n = Number(relays);
const state = Array.from({ length: n + 1 }, () => false);

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://device');
  if (url.pathname !== '/cm') return void res.writeHead(404).end();
  if (password && (url.searchParams.get('user') !== 'admin' || url.searchParams.get('password') !== password)) return void res.writeHead(401).end();
  const m = /^power(\d*)(?:\s+(on|off|toggle|1|0))?$/i.exec(url.searchParams.get('cmnd') ?? '');
  const relay = m ? Number(m[1] || '1') : 0;
  res.setHeader('Content-Type', 'application/json');
  if (!m || relay < 1 || relay > n) return void res.end('{"Command":"Unknown"}');
  const arg = m[2]?.toLowerCase();
  if (arg && relay !== Number(stuck)) {
    state[relay] = arg === 'toggle' ? !state[relay] : arg === 'on' || arg === '1';
    process.stdout.write(`relay ${relay} ${state[relay] ? 'ON' : 'OFF'}\n`);
  }
  const key = n === 1 ? 'POWER' : `POWER${relay}`;
  res.end(JSON.stringify({ [key]: state[relay] ? 'ON' : 'OFF' }));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${(server.address() as { port: number }).port}\n`));
