/** The station without a window: watches the hot folders and says what it does. */
import { createStation } from '../station.js';

export async function runWatch(options: { dataDir: string; banner?: string }): Promise<number> {
  const station = createStation({ dataDir: options.dataDir });
  const time = () => new Date().toLocaleTimeString('de-DE');
  const say = (text: string) => console.log(`${time()}  ${text}`);
  station.on('ingested', (e) => say(`took     ${e.name}`));
  station.on('processed', (e) => say(`cleaned  ${e.name} (${e.pages} page${e.pages === 1 ? '' : 's'})`));
  station.on('document', (e) => say(`document ${e.documentId}: ${e.pages} page(s), ${e.state}`));
  station.on('duplicate', (e) => say(`duplicate ${e.name}: this content was taken before (source ${e.duplicateOf})`));
  station.on('quarantined', (e) => say(`QUARANTINE ${e.name}: ${e.reason}`));
  station.on('ignored', (e) => say(`ignored  ${e.path}: ${e.reason}`));
  station.on('problem', (e) => say(`problem  ${e.path ? `${e.path}: ` : ''}${e.message}`));

  await station.start();
  if (options.banner) console.log(options.banner);
  console.log(`Data folder: ${station.paths.dataDir}`);
  for (const folder of station.config.hotFolders) console.log(`Watching:    ${folder.path} (${folder.profile.name})`);
  console.log('Press Ctrl+C to stop.');

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  say('stopping…');
  await station.stop();
  return 0;
}
