/**
 * `npm start`: the station for a new user with no set-up. Until the desktop window is built it
 * runs headless in the terminal, watching the default inbox and saying what it does.
 */
import { parseArgs } from 'node:util';
import { resolveDataDir } from './config/paths.js';
import { runWatch } from './cli/watch.js';
import { exitWith } from './cli/exit.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } }, allowPositionals: true, strict: false });
const dataDir = resolveDataDir(typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined);

exitWith(
  runWatch({
    dataDir,
    banner: 'Intake Station (headless): drop scans into the inbox below; PDFs appear in the data folder under documents/.',
  }),
);
