/**
 * Electron entry (bundled to dist/main/index.js). Thin: app lifecycle, single-instance lock, the
 * window (size and position remembered), the app:// protocol, IPC registration. The station core
 * runs in a utilityProcess (dist/main/core-process.js); every security setting comes from the
 * pure functions in main/electron/security.ts.
 */
import { app, BrowserWindow, ipcMain, protocol, screen, session, utilityProcess } from 'electron';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveDataDir } from './config/paths.js';
import { createAppProtocolHandler } from './electron/app-protocol.js';
import { CoreClient } from './electron/core-client.js';
import { registerIpc, sendEvent } from './electron/ipc.js';
import {
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  APP_START_URL,
  hasForbiddenSwitch,
  isAllowedNavigation,
  permissionCheckHandler,
  permissionRequestHandler,
  secureWebPreferences,
  windowOpenHandler,
} from './electron/security.js';
import { fitWindowState, loadWindowState, MIN_HEIGHT, MIN_WIDTH, saveWindowState, windowStateFile } from './electron/window-state.js';
import { defaultRendererDir } from './web/static-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD = path.join(here, '../preload/index.cjs');
const CORE_ENTRY = path.join(here, 'core-process.js');

// Must happen before 'ready'.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();

let core: CoreClient | undefined;
let mainWindow: BrowserWindow | undefined;

function osUser(): string {
  try {
    return os.userInfo().username || 'staff';
  } catch {
    return 'staff';
  }
}

function startCore(dataDir: string, demo: boolean): CoreClient {
  const args = ['--data-dir', dataDir, '--actor', osUser(), ...(demo ? ['--demo'] : [])];
  const child = utilityProcess.fork(CORE_ENTRY, args, { serviceName: 'Intake Station core', stdio: 'inherit' });
  return new CoreClient(child, (event) => sendEvent(BrowserWindow.getAllWindows().map((w) => w.webContents), event));
}

function createWindow(): BrowserWindow {
  const stateFile = windowStateFile(app.getPath('userData'));
  const state = fitWindowState(loadWindowState(stateFile), screen.getAllDisplays().map((display) => display.workArea));
  // The preferences come from secureWebPreferences() (contextIsolation and sandbox on, Auxclick off;
  // checked by test/electron-security.test.ts). Electronegativity cannot follow the call: documented false positives.
  const window = new BrowserWindow({ /* eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK */
    ...state.bounds,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: 'Intake Station',
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(PRELOAD, { devTools: !app.isPackaged }),
  });
  if (state.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => saveWindowState(stateFile, { bounds: window.getNormalBounds(), maximized: window.isMaximized() }));
  void window.loadURL(APP_START_URL);
  return window;
}

function main(): void {
  if (app.isPackaged && hasForbiddenSwitch(process.argv)) {
    app.exit(1);
    return;
  }
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Every web contents, whoever creates it: no navigation, no new windows, no webviews.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAllowedNavigation(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(windowOpenHandler);
  });

  app.on('window-all-closed', () => app.quit());
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    // Let the core close the database and release the data folder first.
    event.preventDefault();
    quitting = true;
    void core.stop().finally(() => app.quit());
  });

  void app.whenReady().then(() => {
    const { values } = parseArgs({ args: process.argv.slice(1), options: { 'data-dir': { type: 'string' }, demo: { type: 'boolean' } }, strict: false, allowPositionals: true });
    const dataDir = resolveDataDir(typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined);

    session.defaultSession.setPermissionRequestHandler(permissionRequestHandler);
    session.defaultSession.setPermissionCheckHandler(permissionCheckHandler);
    session.defaultSession.setDevicePermissionHandler(() => false);

    core = startCore(dataDir, values.demo === true);
    protocol.handle(APP_SCHEME, createAppProtocolHandler({ rendererDir: defaultRendererDir(), resources: core }));
    registerIpc(ipcMain, core);
    mainWindow = createWindow();
    mainWindow.on('closed', () => (mainWindow = undefined));
  });
}

main();
