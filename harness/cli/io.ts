// Where a command's words go. `ota-hil` gives them the process's own streams; a test calling main()
// gives it buffers and sees the output and exit code a user would, without a process per call.
// Standard input and signals stay the process's: the commands that read them (console, sim serve)
// are run as processes.
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };
