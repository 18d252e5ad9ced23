// Fault plans as data: one update (deliver a candidate over a baseline, then commit it or withhold
// the commit) and the faults to inject into it. Every type comes from the schema (Static<>). A plan
// is checked as rig files are: every problem at once, each with its JSON pointer.
import { Type, type Static, type TObject, type TProperties } from '../typebox.ts';
import { schemaProblems, type RigProblem } from '../rig/load.ts';

const closed = <T extends TProperties>(props: T, description: string): TObject<T> =>
  Type.Object(props, { additionalProperties: false, description });

const Fraction = Type.Number({ minimum: 0, maximum: 1 });
const Delay = Type.Optional(Type.Integer({ minimum: 0, description: 'ms after the trigger before the cut' }));
const Jitter = Type.Optional(Type.Integer({ minimum: 0, description: 'up to this many ms more, drawn from the plan seed' }));
const OffMs = Type.Optional(Type.Integer({ minimum: 0, description: 'ms the supply stays off (default 100)' }));
const Reset = Type.Optional(
  Type.Boolean({ description: 'pull the reset line instead of cutting power: a warm reset, RTC memory survives (simulated boards only, until a rig gives hardware boards a reset line)' }),
);

export const DownloadCut = closed(
  { kind: Type.Literal('download'), fraction: Type.Optional(Fraction), bytes: Type.Optional(Type.Integer({ minimum: 0 })), offMs: OffMs, reset: Reset },
  'cut when this much of the image was delivered (fraction of the image, or bytes)',
);
export const ConsoleCut = closed(
  {
    kind: Type.Literal('console'),
    pattern: Type.String({ minLength: 1, description: 'regex matched against console lines printed after the update began' }),
    occurrence: Type.Optional(Type.Integer({ minimum: 1, description: 'the Nth matching line (default 1)' })),
    delayMs: Delay,
    jitterMs: Jitter,
    offMs: OffMs,
    reset: Reset,
  },
  'cut a delay after a console line',
);
export const FlashOpCut = closed(
  {
    kind: Type.Literal('flash-op'),
    op: Type.Integer({ minimum: 1, description: 'flash operation, counted from the start of the update (1 = the first)' }),
    torn: Type.Optional(Type.Boolean({ description: 'lose power during the operation instead of before it' })),
    fraction: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'how far a torn operation got (default 0.5)' })),
    offMs: OffMs,
    reset: Reset,
  },
  'cut before (or torn during) flash operation N: simulated boards only',
);
export const BootCut = closed(
  {
    kind: Type.Literal('boot'),
    boot: Type.Integer({ minimum: 1, description: 'the Nth boot since the update began' }),
    delayMs: Delay,
    jitterMs: Jitter,
    offMs: OffMs,
    reset: Reset,
  },
  'cut a delay after the Nth boot begins',
);
export const PowerOnCut = closed(
  { kind: Type.Literal('power-on'), delayMs: Type.Integer({ minimum: 0 }), jitterMs: Jitter, offMs: OffMs, reset: Reset },
  'cut again a delay after the previous cut was restored (the board is recovering)',
);
export const Cut = Type.Union([DownloadCut, ConsoleCut, FlashOpCut, BootCut, PowerOnCut]);
export type Cut = Static<typeof Cut>;

const At = { fraction: Type.Optional(Fraction), bytes: Type.Optional(Type.Integer({ minimum: 0 })) };
export const NetworkFaults = closed(
  {
    stall: Type.Optional(closed({ ...At, ms: Type.Integer({ minimum: 1 }) }, 'pause the transfer at a point for ms')),
    drop: Type.Optional(closed({ ...At, times: Type.Optional(Type.Integer({ minimum: 1 })) }, 'close the connection at a point (the first `times` requests)')),
    corrupt: Type.Optional(closed(At, 'flip a byte of the image in transit')),
  },
  'faults on the way to the board; mapped to the transport\'s own fault options where it has them',
);
export type NetworkFaults = Static<typeof NetworkFaults>;

export const FaultPlan = closed(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    baseline: Type.Optional(Type.String({ minLength: 1, description: 'rig image installed first (default "baseline")' })),
    image: Type.Optional(Type.String({ minLength: 1, description: 'rig image delivered (default "candidate")' })),
    commit: Type.Optional(Type.Union([Type.Literal('confirm'), Type.Literal('withhold')], { description: 'confirm the new image, or withhold the commit and power-cycle until it reverts' })),
    cuts: Type.Optional(Type.Array(Cut, { description: 'power cuts in order; each is armed once the previous one was restored' })),
    network: Type.Optional(NetworkFaults),
    seed: Type.Optional(Type.Integer({ description: 'seed for jitter (default 1)' })),
  },
  'one update and the faults injected into it',
);
export type FaultPlan = Static<typeof FaultPlan>;

export class PlanError extends Error {
  constructor(
    readonly where: string,
    readonly problems: RigProblem[],
  ) {
    super(`${where}: invalid fault plan\n` + problems.map((p) => `  ${p.pointer || '/'}: ${p.message}`).join('\n'));
    this.name = 'PlanError';
  }
}

/** Check `data` against the schema and the rules it cannot express; throws PlanError listing every problem. */
export function validatePlan(data: unknown, where = 'fault plan'): FaultPlan {
  const problems = schemaProblems(FaultPlan, data);
  if (problems.length === 0) problems.push(...ruleProblems(data as FaultPlan));
  if (problems.length) throw new PlanError(where, problems);
  return data as FaultPlan;
}

function ruleProblems(plan: FaultPlan): RigProblem[] {
  const out: RigProblem[] = [];
  const one = (v: { fraction?: number; bytes?: number }, at: string) => {
    if ((v.fraction === undefined) === (v.bytes === undefined)) out.push({ pointer: at, message: 'give exactly one of "fraction" and "bytes"' });
  };
  (plan.cuts ?? []).forEach((c, i) => {
    const at = `/cuts/${i}`;
    if (c.kind === 'download') one(c, at);
    if (c.kind === 'console') {
      try {
        new RegExp(c.pattern);
      } catch (e) {
        out.push({ pointer: `${at}/pattern`, message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
    if (c.kind === 'power-on' && i === 0) out.push({ pointer: `${at}/kind`, message: '"power-on" cuts again while recovering, so it cannot be the first cut' });
    if (c.kind === 'download' && i > 0) out.push({ pointer: `${at}/kind`, message: 'a download cut must be the first cut (the download ends with the first cut)' });
    if (c.kind === 'flash-op' && c.fraction !== undefined && !c.torn) out.push({ pointer: `${at}/fraction`, message: '"fraction" needs "torn": true' });
    if (c.kind === 'flash-op' && c.torn && c.reset) out.push({ pointer: `${at}/torn`, message: 'a reset does not tear an operation: it comes after operation N' });
  });
  const net = plan.network;
  if (net?.stall) one(net.stall, '/network/stall');
  if (net?.drop) one(net.drop, '/network/drop');
  if (net?.corrupt) one(net.corrupt, '/network/corrupt');
  return out;
}

/** Steps only a simulated board can do, as "cuts/N" pointers with what they are and why. */
export function simOnlySteps(plan: FaultPlan): { step: string; what: string; why: string }[] {
  return (plan.cuts ?? []).flatMap((c, i) =>
    c.kind === 'flash-op'
      ? [{ step: `cuts/${i}`, what: describeCut(c), why: 'only the simulator can stop at a flash operation' }]
      : c.reset
        ? [{ step: `cuts/${i}`, what: describeCut(c), why: 'the harness has no reset line to a hardware board yet' }]
        : [],
  );
}

export function describeCut(c: Cut): string {
  const words = describePowerCut(c);
  return c.reset ? words.replace(/^cut( again)?/, 'reset$1').replace(/^reset torn during/, 'reset during') : words;
}

function describePowerCut(c: Cut): string {
  const after = (d?: number, j?: number) => `${d ?? 0}${j ? `+${j}(jitter)` : ''} ms`;
  switch (c.kind) {
    case 'download':
      return c.fraction !== undefined ? `cut at ${+(c.fraction * 100).toFixed(2)}% of the download` : `cut at byte ${c.bytes} of the download`;
    case 'console':
      return `cut ${after(c.delayMs, c.jitterMs)} after console line /${c.pattern}/${(c.occurrence ?? 1) > 1 ? ` (#${c.occurrence})` : ''}`;
    case 'flash-op':
      if (c.reset) return `cut after flash operation ${c.op}`;
      return c.torn ? `cut torn during flash operation ${c.op} (${Math.round((c.fraction ?? 0.5) * 100)}% done)` : `cut before flash operation ${c.op}`;
    case 'boot':
      return `cut ${after(c.delayMs, c.jitterMs)} into boot ${c.boot} of the update`;
    case 'power-on':
      return `cut again ${after(c.delayMs, c.jitterMs)} after power returns`;
  }
}

/** The plan in words, for report.fault() and failure messages. */
export function describePlan(plan: FaultPlan): string {
  const parts = (plan.cuts ?? []).map(describeCut);
  const n = plan.network;
  if (n?.stall) parts.push(`network stall of ${n.stall.ms} ms at ${where(n.stall)}`);
  if (n?.drop) parts.push(`connection dropped at ${where(n.drop)}`);
  if (n?.corrupt) parts.push(`byte corrupted at ${where(n.corrupt)}`);
  if (plan.commit === 'withhold') parts.push('commit withheld');
  return `${plan.name}: ${parts.join('; ') || 'no fault'}`;
}

const where = (a: { fraction?: number; bytes?: number }) => (a.fraction !== undefined ? `${+(a.fraction * 100).toFixed(2)}%` : `byte ${a.bytes}`);
