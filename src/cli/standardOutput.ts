let failed: NodeJS.ErrnoException | null = null;
let watching = false;

/**
 * Standard output that cannot be written — `> /dev/full`, a full disk, a closed terminal — as exit code 2
 * with one line, where Node would throw an unhandled 'error' event with a stack trace and exit 1 (the
 * gate's "a model got worse"). A reader that went away (`| head`, EPIPE) is not an error of the run: the
 * rest of the output is dropped and the exit code stays the command's. Installed once per process.
 */
export function watchStandardOutput(): { failure(): Promise<NodeJS.ErrnoException | null> } {
  if (!watching) {
    watching = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && !failed) failed = error;
    });
    // Messages on stderr are best effort: a stderr that cannot be written has no one to tell.
    process.stderr.on('error', () => {});
  }
  return {
    async failure() {
      // A file or device stdout reports a failed write on the next tick: let it arrive.
      await new Promise((resolve) => setImmediate(resolve));
      return failed;
    },
  };
}
