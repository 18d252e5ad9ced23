// The device side of HTTP push announces its URL on the console (the harness finds it there). Only
// the ESP8266 Arduino sketch prints ESP8266HTTPUpdateServer's example line; every other stack's
// server names no stack (bootloader-facts.md gives none of them an HTTP server line).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Board, cleanup } from './stack-kit.ts';
import { HTTP_PUSH_ADDRESS } from '../../harness/ota/http-push.ts';
import { esp8266ArduinoStack } from '../../harness/sim/stacks/esp8266-arduino/index.ts';
import { espIdfStack } from '../../harness/sim/stacks/esp-idf/index.ts';
import { mongooseOsStack } from '../../harness/sim/stacks/mongoose-os/index.ts';
import { rbootStack } from '../../harness/sim/stacks/rboot/index.ts';
import type { SimStack } from '../../harness/sim/stack.ts';

afterEach(cleanup);

async function announced(stack: SimStack, size: number): Promise<string[]> {
  const board = new Board(stack, { timeScale: 200 });
  board.install({ version: '1.0.0', boot: 'ok', confirm: 'self', size });
  board.device.powerOn();
  await board.waitFor(HTTP_PUSH_ADDRESS);
  return board.lines.filter((l) => HTTP_PUSH_ADDRESS.test(l) || /HTTPUpdateServer/.test(l));
}

test('ESP8266 Arduino: the HTTPUpdateServer example line, with the URL', async () => {
  const lines = await announced(esp8266ArduinoStack, 280_000);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /^HTTPUpdateServer ready! Open http:\/\/127\.0\.0\.1:\d+\/update in your browser$/);
});

for (const [stack, size] of [[espIdfStack, 40_000], [mongooseOsStack, 40_000], [rbootStack, 40_000]] as const) {
  test(`${stack.name}: the URL in a line that names no stack, never HTTPUpdateServer`, async () => {
    const lines = await announced(stack, size);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^update server listening on http:\/\/127\.0\.0\.1:\d+\/update$/);
  });
}
