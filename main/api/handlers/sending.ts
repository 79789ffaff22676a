import { sendingOperations } from '../../../preload/contract/sending.js';
import type { HandlerTable } from '../handler-types.js';

export const sendingHandlers: HandlerTable<typeof sendingOperations> = {};
