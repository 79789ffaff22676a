/**
 * Headless commands: `process` (one-shot), `watch` (the station without a window) and `status`.
 *   npm run station -- process <files or folders> --out <dir> [--json]
 *   npm run station -- watch [--data-dir <dir>]
 *   npm run station -- status [--data-dir <dir>] [--json]
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolveDataDir } from './config/paths.js';
import { runProcess } from './cli/process.js';
import { runWatch } from './cli/watch.js';
import { runStatus } from './cli/status.js';
import { exitWith } from './cli/exit.js';
import { runImportCustomers } from './cli/import-customers.js';

const USAGE = `Intake Station — headless commands

  station process <files or folders…> --out <dir> [--json] [--per-file] [--colour auto|colour|grey|bw] [--data-dir <dir>]
      Turns scanner files into PDF documents once and writes them to <dir>. Inputs are never changed.
      --json prints one JSON line per document, per quarantined, duplicate and ignored input.
  station watch [--data-dir <dir>]
      Runs the station without a window: watches the hot folders and says what it does.
  station status [--data-dir <dir>] [--json]
      Documents per state, open work, and the quarantine list.
  station import-customers <file.csv> [--data-dir <dir>] [--json]
      Imports a customer export (UTF-8 or Windows-1252, ; or ,) into the customer directory and
      lists bad rows by line. Exit code 3 when some rows were bad (the good ones are imported).
  station separator-sheet --out <file.pdf>
      Writes the station's separator sheet (QR code, Patch T, "Trennblatt") as an A4 PDF to print.
  station cover-sheet --customer <number> --type <document type> [--pages N] [--name <name>] --out <file.pdf> [--data-dir <dir>]
      Writes a cover sheet for one customer and document type; the name comes from the customer
      directory (--name prints a customer not in it). --pages: a different page count flags the document.

The data folder defaults to the user-data location; STATION_DATA_DIR or --data-dir override it.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      'per-file': { type: 'boolean', default: false },
      colour: { type: 'string' },
      customer: { type: 'string' },
      type: { type: 'string' },
      pages: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (!command || command === 'help' || values.help) {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  switch (command) {
    case 'process':
      if (!values.out || positionals.length === 0) {
        console.error('process needs at least one file or folder and --out <dir>.\n');
        console.error(USAGE);
        return 1;
      }
      return runProcess({
        inputs: positionals,
        outDir: values.out,
        json: values.json ?? false,
        perFile: values['per-file'] ?? false,
        colour: values.colour,
        dataDir: values['data-dir'],
      });
    case 'watch':
      return runWatch({ dataDir: resolveDataDir(values['data-dir']) });
    case 'status':
      return runStatus({ dataDir: resolveDataDir(values['data-dir']), json: values.json ?? false });
    case 'import-customers':
      if (positionals.length !== 1) {
        console.error('import-customers needs exactly one CSV file.\n');
        console.error(USAGE);
        return 1;
      }
      return runImportCustomers({ file: positionals[0]!, dataDir: resolveDataDir(values['data-dir']), json: values.json ?? false });
    case 'separator-sheet':
      if (!values.out) {
        console.error('separator-sheet needs --out <file.pdf>.\n');
        console.error(USAGE);
        return 1;
      }
      // Loaded here: the sheets need pdf-lib and bwip-js (about 0.6 s of CPU to load), no other command does.
      return (await import('./cli/sheets.js')).runSeparatorSheet({ out: values.out });
    case 'cover-sheet':
      if (!values.out || !values.customer || !values.type) {
        console.error('cover-sheet needs --customer <number>, --type <document type> and --out <file.pdf>.\n');
        console.error(USAGE);
        return 1;
      }
      return (await import('./cli/sheets.js')).runCoverSheet({ out: values.out, customer: values.customer, type: values.type, pages: values.pages, name: values.name, dataDir: resolveDataDir(values['data-dir']) });
    default:
      console.error(`Unknown command "${command}".\n`);
      console.error(USAGE);
      return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) exitWith(main(process.argv.slice(2)));
