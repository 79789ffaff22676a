/** IPC channel names, shared by main (main/electron/ipc.ts) and the preload bridge. */
export const CALL_CHANNEL = 'station:call';
export const EVENT_CHANNEL = 'station:event';
