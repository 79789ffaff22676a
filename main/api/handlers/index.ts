/** Every operation's handler, merged from the areas; the compiler checks it covers the contract. */
import type { Operations } from '../../../preload/contract/index.js';
import type { HandlerTable } from '../handler-types.js';
import { customerHandlers } from './customers.js';
import { documentHandlers } from './documents.js';
import { mailroomHandlers } from './mailroom.js';
import { quarantineHandlers } from './quarantine.js';
import { sendingHandlers } from './sending.js';
import { settingsHandlers } from './settings.js';
import { stationHandlers } from './station.js';

export const handlers: HandlerTable<Operations> = {
  ...stationHandlers,
  ...documentHandlers,
  ...customerHandlers,
  ...sendingHandlers,
  ...mailroomHandlers,
  ...quarantineHandlers,
  ...settingsHandlers,
};
