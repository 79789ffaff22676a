import { customerOperations } from '../../../preload/contract/customers.js';
import type { HandlerTable } from '../handler-types.js';

export const customerHandlers: HandlerTable<typeof customerOperations> = {};
