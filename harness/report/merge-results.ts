// Combines several rig hosts' outputs into one: every allure result file into one results dir
// (uuid names do not collide; environment.properties lines are united), and every Playwright
// blob report into one dir for `playwright merge-reports` (renamed per host: each host's blob
// is called report.zip).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface HostOutput {
  /** What the user named. */
  dir: string;
  allureResults: string | null;
  blobs: string[];
}

/** A host dir is an OTA_HIL_REPORTS dir (allure-results/, blob-report/) or an allure-results dir itself. */
export function findHostOutput(dir: string): HostOutput {
  const isResults = (d: string) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('-result.json'));
  const nested = path.join(dir, 'allure-results');
  const allureResults = isResults(nested) ? nested : isResults(dir) ? dir : null;
  const blobDir = path.join(dir, 'blob-report');
  const blobs = existsSync(blobDir) ? readdirSync(blobDir).filter((f) => f.endsWith('.zip')).map((f) => path.join(blobDir, f)) : [];
  return { dir, allureResults, blobs };
}

export interface MergedResults {
  files: number;
  results: number;
  warnings: string[];
}

export function mergeAllureResults(sources: string[], into: string): MergedResults {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  const warnings: string[] = [];
  const env = new Set<string>();
  let files = 0;
  let results = 0;
  for (const src of sources) {
    for (const name of readdirSync(src)) {
      const from = path.join(src, name);
      if (!statSync(from).isFile()) continue;
      if (name === 'environment.properties') {
        for (const line of readFileSync(from, 'utf8').split('\n')) if (line.trim()) env.add(line);
        continue;
      }
      const to = path.join(into, name);
      if (existsSync(to)) {
        if (!readFileSync(to).equals(readFileSync(from))) warnings.push(`${from}: a different ${name} was already merged; kept the first`);
        continue;
      }
      copyFileSync(from, to);
      files++;
      if (name.endsWith('-result.json')) results++;
    }
  }
  if (env.size) writeFileSync(path.join(into, 'environment.properties'), [...env].join('\n') + '\n');
  return { files, results, warnings };
}

/** Copies each host's blobs into `into`, prefixed with the host's position so none overwrites another. */
export function gatherBlobs(hosts: HostOutput[], into: string): string[] {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  return hosts.flatMap((h, i) =>
    h.blobs.map((b) => {
      const to = path.join(into, `host${i + 1}-${path.basename(h.dir) || 'host'}-${path.basename(b)}`);
      copyFileSync(b, to);
      return to;
    }),
  );
}
