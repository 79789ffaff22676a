/**
 * The headless CLI as the launcher loads it: bundled (see bundle-cache.mjs) or, when no bundle can
 * be built, from source through tsx. Either way the commands are those of cli.ts, unchanged.
 */
import { main } from '../cli.js';
import { exitWith } from '../cli/exit.js';

export function run(argv: string[]): void {
  exitWith(main(argv));
}
