/**
 * Ctrl-C for the long-running commands (run, tune, crash): the first signal asks the work to stop
 * cleanly (the partial report is written, temporary files, mounts and loop devices released); a
 * second one quits at once with 130 (the crash lab's exit handler still releases what it holds).
 */
export async function interruptible<T>(
  target: { interrupt(): void },
  stopping: string,
  body: () => Promise<T>,
  signals: readonly NodeJS.Signals[] = ['SIGINT'],
): Promise<T> {
  let received = 0;
  const onSignal = (): void => {
    received += 1;
    if (received > 1) process.exit(130);
    process.stderr.write(`\ndurabench: interrupted; ${stopping} (Ctrl-C again to quit now)\n`);
    target.interrupt();
  };
  for (const s of signals) process.on(s, onSignal);
  try {
    return await body();
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
