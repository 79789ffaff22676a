/**
 * The station core in Electron's utilityProcess (dist/main/core-process.js): image work and
 * database writes never block the window's main process. It answers {id, name, payload} with
 * dispatch(), {id, resource} with the resource, and forwards UI events. `process.parentPort` is the
 * utility process's channel to main. Electron is loaded only inside runCore (dynamic import, when
 * running in Electron), so tests can import createCoreHandler under plain Node.
 */
import { parseArgs } from 'node:util';
import { dispatch } from '../api/dispatch.js';
import { subscribeUiEvents } from '../api/events.js';
import { serveResource } from '../api/resources.js';
import { resolveDataDir } from '../config/paths.js';
import { runDemo } from '../demo/sample-data.js';
import { createStation, type Station } from '../station.js';
import { webFetchClient, type HttpFetch } from '../upload/targets/http.js';
import { coreRequestSchema, type CoreMessage } from './core-protocol.js';

export interface CoreHandler {
  handle(message: unknown): Promise<void>;
  dispose(): void;
}

/** The message loop's logic, apart from the process plumbing (tests drive it with a real station). */
export function createCoreHandler(station: Station, actor: string, post: (message: CoreMessage) => void, onStop: () => void = () => undefined): CoreHandler {
  const unsubscribe = subscribeUiEvents(station, (event) => post({ event }));
  return {
    async handle(message) {
      const parsed = coreRequestSchema.safeParse(message);
      if (!parsed.success) {
        station.emit('problem', { message: 'The core received a malformed message from main; it was ignored.' });
        return;
      }
      const request = parsed.data;
      if ('stop' in request) return onStop();
      if ('resource' in request) return post({ id: request.id, resource: await serveResource(station, request.resource) });
      post({ id: request.id, result: await dispatch({ station, actor }, request.name, request.payload) });
    },
    dispose: unsubscribe,
  };
}

interface ParentPort {
  on(event: 'message', listener: (message: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/**
 * REST sends go through Chromium's net.fetch in Electron: it uses the system's proxy settings and
 * certificate store, as government networks need. A target with a client certificate (or its own CA
 * file or proxy) still uses node-fetch with an https.Agent, since net.fetch cannot present a client
 * certificate from a file; createTargets makes that choice per target.
 */
async function electronFetch(): Promise<HttpFetch | undefined> {
  if (!process.versions.electron) return undefined;
  const { net } = await import('electron');
  return webFetchClient((url, init) => net.fetch(url, init));
}

async function runCore(parentPort: ParentPort): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { 'data-dir': { type: 'string' }, actor: { type: 'string' }, demo: { type: 'boolean' } }, strict: false });
  let station: Station;
  try {
    station = createStation({ dataDir: resolveDataDir(typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined), httpFetch: await electronFetch() });
    await station.start();
  } catch (error) {
    parentPort.postMessage({ failed: (error as Error).message } satisfies CoreMessage);
    process.exit(2);
  }
  station.on('problem', (e) => console.error(`problem  ${e.message}`));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    handler.dispose();
    await station.stop().catch(() => undefined);
    process.exit(0);
  };
  const handler = createCoreHandler(station, typeof values.actor === 'string' ? values.actor : 'staff', (message) => parentPort.postMessage(message), () => void stop());
  parentPort.on('message', (message) => {
    handler.handle(message.data).catch((error: Error) => station.emit('problem', { message: `Core message failed: ${error.message}` }));
  });
  process.once('SIGTERM', () => void stop());
  parentPort.postMessage({ ready: true } satisfies CoreMessage);
  if (values.demo === true) await runDemo(station).catch((error: Error) => station.emit('problem', { message: `Demo data failed: ${error.message}` }));
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (parentPort) void runCore(parentPort);
