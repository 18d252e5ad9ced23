// Board selection by tags, as fleet rollouts target devices: "arch=esp8266,stack!=rboot".
// Terms separated by commas must all hold; a board's name and stack count as tags too.
import type { BoardConfig } from './schema.ts';

export interface TagTerm {
  key: string;
  op: '=' | '!=';
  value: string;
}

export function parseFilter(filter: string): TagTerm[] {
  return filter
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term) => {
      const m = /^([A-Za-z][\w-]*)\s*(!=|=)\s*(.*)$/.exec(term);
      if (!m) throw new Error(`board filter: cannot read ${JSON.stringify(term)}; expected key=value or key!=value`);
      return { key: m[1]!, op: m[2] as TagTerm['op'], value: m[3]! };
    });
}

export function boardTags(board: BoardConfig): Record<string, string> {
  return { ...board.tags, name: board.name, stack: board.stack };
}

export function matchesFilter(board: BoardConfig, terms: TagTerm[]): boolean {
  const tags = boardTags(board);
  return terms.every((t) => (tags[t.key] === t.value) === (t.op === '='));
}
