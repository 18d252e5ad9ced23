// The gate's fleet rule: a fleet result (labelled `fleet` with its rollout summary) passes when at
// least `minConverged` of its targets run the candidate and, unless the policy only reports them,
// no board bricked. Fleet results are judged here only, not against the per-board scenario list.
import { Type, type Static } from '../typebox.ts';
import type { ScenarioResult } from './allure-results.ts';
import type { FleetSummary } from '../fleet/verdict.ts';

export const FleetPolicy = Type.Object(
  {
    minConverged: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 1, description: 'fraction of a rollout\'s targets that must end on the candidate (default 1: all)' })),
    bricks: Type.Optional(Type.Union([Type.Literal('fail'), Type.Literal('report')], { default: 'fail', description: 'a bricked board in a rollout: fail the gate (default) or only report it' })),
  },
  { additionalProperties: false, description: 'what a fleet rollout result (titles with "rollout", the rig\'s fleet project) must show' },
);
export type FleetPolicy = Static<typeof FleetPolicy>;

export const isFleetResult = (r: ScenarioResult): boolean => r.fleet.length > 0;

export function fleetProblems(policy: FleetPolicy | undefined, results: readonly ScenarioResult[], where: (r: ScenarioResult) => string): { board: string; scenario: string; message: string }[] {
  const min = policy?.minConverged ?? 1;
  const out: { board: string; scenario: string; message: string }[] = [];
  for (const r of results.filter(isFleetResult)) {
    for (const label of r.fleet) {
      const problem = (message: string) => out.push({ board: where(r), scenario: r.title, message });
      let s: FleetSummary;
      try {
        s = JSON.parse(label) as FleetSummary;
      } catch {
        problem(`"${r.title}" on ${where(r)}: the fleet label is not a rollout summary: ${label.slice(0, 80)}`);
        continue;
      }
      const pct = (f: number) => `${(f * 100).toFixed(1).replace(/\.0$/, '')}%`;
      if (s.convergedFraction < min) {
        problem(`rollout "${r.title}" on ${where(r)}: ${s.onCandidate}/${s.targets} boards on the candidate (${pct(s.convergedFraction)}), below the required ${pct(min)} (${s.onBaseline} on baseline, ${s.deferred} deferred, ${s.failed} failed)`);
      }
      if (s.bricked > 0 && (policy?.bricks ?? 'fail') === 'fail') problem(`BRICK in rollout "${r.title}" on ${where(r)}: ${s.bricked} of ${s.targets} boards boot nothing`);
    }
  }
  return out;
}
