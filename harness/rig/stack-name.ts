// The update stacks, apart from the rest of the rig schema: simulators and parsers (and a sweep's
// worker threads) name stacks without loading every power, transport and install kind.
import { Type, type Static } from '../typebox.ts';

export const StackName = Type.Union(
  [
    Type.Literal('mcuboot'),
    Type.Literal('esp-idf'),
    Type.Literal('mongoose-os'),
    Type.Literal('rboot'),
    Type.Literal('esp8266-arduino'),
    Type.Literal('zerynth'),
    Type.Literal('particle'),
  ],
  { description: 'the update stack the board runs; chooses the boot-log parser and, for sim boards, the simulator' },
);
export type StackName = Static<typeof StackName>;

export const STACK_NAMES: readonly StackName[] = StackName.anyOf.map((l) => l.const);
export const isStackName = (s: string): s is StackName => (STACK_NAMES as readonly string[]).includes(s);
