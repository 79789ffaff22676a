/** Builds the configured targets; "outbox" (folder export to <dataDir>/outbox) exists unless redefined. */
import path from 'node:path';
import type { SendingConfig } from '../../config/schema.js';
import { FolderTarget } from './folder.js';
import type { HttpFetch } from './http.js';
import { RestTarget } from './rest.js';
import type { UploadTarget } from './types.js';
import { WebDavTarget } from './webdav.js';

export const BUILT_IN_TARGET = 'outbox';

export interface TargetClients {
  /**
   * The platform's HTTP client for REST sends (Electron's net.fetch: the system's proxy and
   * certificate store). Not used for a target that configures a client certificate, an extra CA file
   * or its own proxy: net.fetch cannot take those, so such a target keeps node-fetch with its own
   * https.Agent. Absent (headless station, browser mode): node-fetch everywhere.
   */
  platformFetch?: HttpFetch;
}

export function createTargets(config: SendingConfig, dirs: { dataDir: string; outbox: string }, clients: TargetClients = {}): Map<string, UploadTarget> {
  const targets = new Map<string, UploadTarget>();
  targets.set(BUILT_IN_TARGET, new FolderTarget(BUILT_IN_TARGET, dirs.outbox, { csv: false }));
  for (const target of config.targets) {
    const timeoutMs = ('timeoutMs' in target && target.timeoutMs) || config.timeoutMs;
    if (target.kind === 'rest') {
      const needsAgent = target.auth.type === 'client_certificate' || Boolean(target.caFile) || Boolean(target.proxy);
      targets.set(target.name, new RestTarget(target.name, { ...target, timeoutMs }, needsAgent ? undefined : clients.platformFetch));
    }
    else if (target.kind === 'webdav') targets.set(target.name, new WebDavTarget(target.name, { ...target, timeoutMs }));
    else targets.set(target.name, new FolderTarget(target.name, path.resolve(dirs.dataDir, target.path ?? dirs.outbox), { csv: target.csv }));
  }
  return targets;
}

export type { UploadTarget } from './types.js';
