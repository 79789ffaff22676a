import { stationOperations } from '../../../preload/contract/station.js';
import type { HandlerTable } from '../handler-types.js';
import { STATION_VERSION } from '../../station.js';

export const stationHandlers: HandlerTable<typeof stationOperations> = {
  getStatus: ({ station }) => {
    const status = station.status();
    return {
      stationId: station.stationId,
      version: STATION_VERSION,
      documents: status.documents,
      quarantined: status.quarantined.length,
      pagesPending: status.jobs['pending'] ?? 0,
      hotFolders: station.config.hotFolders.map((f) => ({
        path: f.path,
        profile: f.profile.name,
        kind: f.profile.kind,
        watching: status.hotFolders.find((h) => h.path === f.path)?.watching ?? false,
      })),
    };
  },
};
