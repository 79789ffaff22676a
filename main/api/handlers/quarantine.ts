import { quarantineOperations } from '../../../preload/contract/quarantine.js';
import type { HandlerTable } from '../handler-types.js';
import { discardQuarantined, listQuarantine, readQuarantineOriginal, retryQuarantined } from '../../quarantine/service.js';

export const quarantineHandlers: HandlerTable<typeof quarantineOperations> = {
  listQuarantine: ({ station }, { offset, limit }) => listQuarantine(station, offset, limit),
  getQuarantineOriginal: ({ station }, { sourceId }) => readQuarantineOriginal(station, sourceId),
  retryQuarantined: ({ station, actor }, { sourceId }) => retryQuarantined(station, actor, sourceId),
  discardQuarantined: ({ station, actor }, { sourceId }) => discardQuarantined(station, actor, sourceId),
};
