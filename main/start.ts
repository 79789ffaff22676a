/**
 * `npm start`: the station for a new user with no set-up. Until the desktop window is built it
 * runs headless in the terminal, watching the default inbox and saying what it does.
 */
import { parseArgs } from 'node:util';
import { resolveDataDir } from './config/paths.js';
import { ConfigError } from './config/schema.js';
import { DataDirLockedError } from './store/lock.js';
import { runWatch } from './cli/watch.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } }, allowPositionals: true, strict: false });
const dataDir = resolveDataDir(typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined);

runWatch({
  dataDir,
  banner: 'Intake Station (headless): drop scans into the inbox below; PDFs appear in the data folder under documents/.',
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    const known = error instanceof ConfigError || error instanceof DataDirLockedError;
    console.error(known ? error.message : error.stack ?? error.message);
    process.exitCode = known ? 2 : 70;
  },
);
