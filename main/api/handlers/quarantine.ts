import { quarantineOperations } from '../../../preload/contract/quarantine.js';
import type { HandlerTable } from '../handler-types.js';

export const quarantineHandlers: HandlerTable<typeof quarantineOperations> = {};
