/**
 * The bridge between the sandboxed window and the station (bundled to dist/preload/index.cjs).
 * It exposes exactly StationApi as window.station: `call` for the contract's operations (names
 * outside the contract never reach IPC) and `subscribe` for events. Raw ipcRenderer and the IPC
 * event objects never cross into the page. Main validates everything again.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { operationNames, type StationApi, type StationEvent } from './contract/index.js';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels.js';

const known = new Set<string>(operationNames);

const api: StationApi = {
  call: ((name: string, input: unknown) => {
    if (typeof name !== 'string' || !known.has(name)) {
      return Promise.resolve({ ok: false, code: 'unknown_operation', message: `There is no operation named ${JSON.stringify(String(name))}.` });
    }
    return ipcRenderer.invoke(CALL_CHANNEL, { name, payload: input ?? {} });
  }) as StationApi['call'],
  subscribe(listener) {
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a function.');
    const forward = (_event: IpcRendererEvent, stationEvent: StationEvent) => listener(stationEvent);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('station', api);
