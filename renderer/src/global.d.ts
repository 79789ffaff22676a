import type { StationApi } from '../../preload/contract/index.js';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in browser mode. */
    readonly station?: StationApi;
  }
}

export {};
