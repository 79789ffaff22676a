/** Sets the exit code from a command's result: known errors (bad config, folder in use) in plain words, others with their stack. */
import { ConfigError } from '../config/schema.js';
import { DataDirLockedError } from '../store/lock.js';

export function exitWith(run: Promise<number>): void {
  run.then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      const known = error instanceof ConfigError || error instanceof DataDirLockedError;
      console.error(known ? error.message : error.stack ?? error.message);
      process.exitCode = known ? 2 : 70;
    },
  );
}
