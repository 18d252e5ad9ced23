// The release policy the gate enforces, kept in the repo (gate.policy.json) so a change to what
// "releasable" means is reviewed like code. Validated on load: every problem is reported with the
// file and its JSON pointer, the way rig files are.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Type, Value, type Static, type TSchema } from '../typebox.ts';
import { FleetPolicy } from './gate-fleet.ts';
import { PACKAGE_ROOT } from '../package-root.ts';

const Pattern = Type.String({ minLength: 1, description: 'regular expression, case-insensitive, matched against "describe › title"' });
const RiskVerdict = Type.Union([Type.Literal('accept'), Type.Literal('fail')], { description: 'accept: listed with the verdict; fail: fails the gate' });

const RiskRule = Type.Object(
  {
    label: Type.Optional(Type.Union([Type.Literal('brick-risk'), Type.Literal('documented-risk')], { description: 'the risk label it applies to' })),
    board: Type.Optional(Type.String({ minLength: 1, description: 'the board it applies to: "board" or "rig/board"' })),
    scenario: Type.Optional(Type.String({ minLength: 1, description: 'regular expression, case-insensitive, matched against "describe › title"' })),
    risk: Type.Optional(Type.String({ minLength: 1, description: 'regular expression, case-insensitive, matched against the risk\'s description' })),
    verdict: RiskVerdict,
    why: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const GatePolicy = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    boards: Type.Array(Type.String({ minLength: 1 }), {
      description: 'boards that must have results for every candidate: "board" or "rig/board"',
      uniqueItems: true,
    }),
    scenarios: Type.Array(
      Type.Object(
        {
          title: Pattern,
          why: Type.Optional(Type.String({ description: 'what the scenario proves; shown when it fails' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, description: 'scenarios that must run and pass on every board that has results, and on every required board' },
    ),
    sweeps: Type.Optional(
      Type.Object(
        {
          title: Type.Optional(Pattern),
          minCoverage: Type.Number({ minimum: 0, maximum: 1, description: 'fraction of a sweep\'s points that must have run (1 = all)' }),
        },
        { additionalProperties: false, description: 'results labelled sweep-coverage, or whose title matches, must reach minCoverage' },
      ),
    ),
    bricks: Type.Optional(Type.Union([Type.Literal('fail'), Type.Literal('report')], { description: 'a boot with event "brick" anywhere: fail the gate (default) or only report it' })),
    flaky: Type.Optional(Type.Union([Type.Literal('fail'), Type.Literal('pass')], { description: 'a required scenario that passed only on retry (default: fail)' })),
    skipped: Type.Optional(Type.Union([Type.Literal('fail'), Type.Literal('pass')], { description: 'a required scenario that was skipped without being not applicable (default: fail)' })),
    fleet: Type.Optional(FleetPolicy),
    risks: Type.Optional(
      Type.Union(
        [
          RiskVerdict,
          Type.Object(
            {
              default: RiskVerdict,
              why: Type.Optional(Type.String()),
              rules: Type.Optional(Type.Array(RiskRule, { description: 'the first rule that matches a risk decides it; else default' })),
            },
            { additionalProperties: false },
          ),
        ],
        { description: 'documented risks (labels brick-risk, documented-risk): accept or fail, per label, board, scenario or risk (default: fail)' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type GatePolicy = Static<typeof GatePolicy>;

export interface PolicyProblem {
  pointer: string;
  message: string;
}

export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly problems: PolicyProblem[],
  ) {
    super(`${file}: invalid gate policy\n` + problems.map((p) => `  ${p.pointer || '/'}: ${p.message}`).join('\n'));
    this.name = 'PolicyError';
  }
}

/** The run's policy: gate.policy.json where the run is, else the one this package ships (for a repository that keeps none). */
export function defaultPolicyFile(): string {
  return existsSync('gate.policy.json') ? 'gate.policy.json' : path.join(PACKAGE_ROOT, 'gate.policy.json');
}

export function loadPolicy(file: string): GatePolicy {
  const abs = path.resolve(file);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    throw new PolicyError(abs, [{ pointer: '', message: (e as NodeJS.ErrnoException).code ? `cannot read: ${(e as Error).message}` : `not valid JSON: ${(e as Error).message}` }]);
  }
  return validatePolicy(data, abs);
}

export function validatePolicy(data: unknown, file: string): GatePolicy {
  const problems = schemaProblems(GatePolicy, data);
  if (problems.length === 0) problems.push(...patternProblems(data as GatePolicy));
  if (problems.length) throw new PolicyError(file, problems);
  return data as GatePolicy;
}

function schemaProblems(schema: TSchema, data: unknown): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  for (const err of Value.Errors(schema, data)) {
    // A missing field yields one error per check on it; "required" says it all.
    if (err.value === undefined && err.message !== 'Expected required property') continue;
    const message =
      err.message === 'Unexpected property'
        ? 'unknown field (not allowed here)'
        : err.message === 'Expected required property'
          ? `missing required field${err.schema.description ? ` (${err.schema.description})` : ''}`
          : err.message.startsWith('Expected union value')
            ? `expected one of: ${(err.schema.anyOf as TSchema[]).map((m) => JSON.stringify(m.const)).join(' | ')}`
            : err.message;
    if (!out.some((p) => p.pointer === err.path && p.message === message)) out.push({ pointer: err.path, message });
  }
  return out;
}

function patternProblems(p: GatePolicy): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  const check = (pattern: string, pointer: string) => {
    try {
      new RegExp(pattern, 'i');
    } catch (e) {
      out.push({ pointer, message: `not a valid regular expression: ${(e as Error).message}` });
    }
  };
  p.scenarios.forEach((s, i) => check(s.title, `/scenarios/${i}/title`));
  if (p.sweeps?.title !== undefined) check(p.sweeps.title, '/sweeps/title');
  if (typeof p.risks === 'object') {
    p.risks.rules?.forEach((r, i) => {
      if (r.scenario !== undefined) check(r.scenario, `/risks/rules/${i}/scenario`);
      if (r.risk !== undefined) check(r.risk, `/risks/rules/${i}/risk`);
    });
  }
  return out;
}

/** Defaults filled in, patterns compiled: what the gate works with. */
export interface ResolvedPolicy {
  boards: string[];
  scenarios: { title: RegExp; source: string; why?: string }[];
  sweeps: { title: RegExp; minCoverage: number } | null;
  bricks: 'fail' | 'report';
  flaky: 'fail' | 'pass';
  skipped: 'fail' | 'pass';
  fleet?: FleetPolicy;
  risks: ResolvedRiskRule[];
}

/** A risk rule with its patterns compiled; the last one is the default (matches every risk). */
export interface ResolvedRiskRule {
  label?: string;
  board?: string;
  scenario?: RegExp;
  risk?: RegExp;
  verdict: 'accept' | 'fail';
  /** Where it is in the policy, for the verdict's reasons: "/risks/rules/0" or "/risks/default". */
  pointer: string;
  why?: string;
}

export function resolvePolicy(p: GatePolicy): ResolvedPolicy {
  const r = p.risks ?? 'fail';
  const rules: ResolvedRiskRule[] =
    typeof r === 'string'
      ? [{ verdict: r, pointer: p.risks ? '/risks' : '(default)' }]
      : [
          ...(r.rules ?? []).map((x, i) => ({
            label: x.label,
            board: x.board,
            scenario: x.scenario ? new RegExp(x.scenario, 'i') : undefined,
            risk: x.risk ? new RegExp(x.risk, 'i') : undefined,
            verdict: x.verdict,
            pointer: `/risks/rules/${i}`,
            why: x.why,
          })),
          { verdict: r.default, pointer: '/risks/default', why: r.why },
        ];
  return {
    risks: rules,
    boards: p.boards,
    scenarios: p.scenarios.map((s) => ({ title: new RegExp(s.title, 'i'), source: s.title, why: s.why })),
    sweeps: p.sweeps ? { title: new RegExp(p.sweeps.title ?? '\\bsweep', 'i'), minCoverage: p.sweeps.minCoverage } : null,
    bricks: p.bricks ?? 'fail',
    flaky: p.flaky ?? 'fail',
    skipped: p.skipped ?? 'fail',
    fleet: p.fleet,
  };
}
