/**
 * Browser mode as a whole: the station (watching its hot folders) plus the loopback web server,
 * until SIGINT/SIGTERM. Prints the tokened address on a line of its own.
 */
import { runDemo } from '../demo/sample-data.js';
import { createStation } from '../station.js';
import { openBrowser } from './open-browser.js';
import { startWebServer } from './server.js';

export interface BrowserModeOptions {
  dataDir: string;
  port: number;
  open: boolean;
  /** Sample customers and sample scans for a first look. */
  demo?: boolean;
}

export async function runBrowserMode(options: BrowserModeOptions): Promise<number> {
  const station = createStation({ dataDir: options.dataDir });
  station.on('problem', (e) => console.error(`problem  ${e.message}`));
  await station.start();
  let server;
  try {
    server = await startWebServer({ station, port: options.port });
  } catch (error) {
    await station.stop();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`Port ${options.port} on 127.0.0.1 is in use. Choose another with --port, or --port 0 for any free port.`);
      return 2;
    }
    throw error;
  }
  console.log('Intake Station (browser mode): open this address in a browser on this computer; it carries this launch\'s access token:');
  console.log(server.url);
  console.log(`Data folder: ${station.paths.dataDir}`);
  for (const folder of station.config.hotFolders) console.log(`Watching:    ${folder.path} (${folder.profile.name})`);
  console.log('Press Ctrl+C to stop.');
  if (options.open && !openBrowser(server.url)) console.log('(No browser could be opened here: copy the address above.)');
  if (options.demo) {
    const demo = await runDemo(station);
    console.log(`Demo: ${demo.customers} sample customers; ${demo.files.length} sample scans dropped into ${demo.hotFolder ?? '(no hot folder)'}.`);
  }

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('Stopping…');
  await server.close();
  await station.stop();
  return 0;
}
