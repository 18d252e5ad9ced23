// The seam for making a trial image permanent, the way the rig says a board does it. The board
// (harness/fixtures/board.ts) and the sweep's forked boards (harness/faults/fork.ts) drive the
// same methods through CommitIo, so a rig's commit step means the same in both.

/** What a commit method may do with a board: its console, nothing else. */
export interface CommitIo {
  readonly board: string;
  /** Type a line on the board's console. */
  send(line: string): Promise<void>;
  /** Index of the next console line. */
  mark(): number;
  /** Index of the first console line of the board's current power-on. */
  powerOnMark(): number;
  /** Resolve once a line at `from` or later matches `re`; reject, naming the board, when none does in time. */
  expect(re: RegExp, from: number, timeoutMs: number): Promise<void>;
  note(text: string): void;
}

export interface CommitMethod {
  /** Shown in the report's commit step. */
  readonly description: string;
  /** False when the harness has nothing to do (the image confirms itself). */
  readonly acts: boolean;
  /** When the board opens: start what the method needs (a device manager). Never run by the sweep's forks. */
  open?(): Promise<void>;
  /** After an installed baseline has booted (tell the board where its device manager is). */
  installed?(io: CommitIo): Promise<void>;
  /** Commit the running trial image; reject when it is not acknowledged. */
  commit(io: CommitIo): Promise<void>;
  close?(): Promise<void>;
}

/** What every commit method gets from the registry. */
export interface CommitContext {
  board: string;
  /** Into the board's console log (what a service of the method saw). */
  note?: (text: string) => void;
}
