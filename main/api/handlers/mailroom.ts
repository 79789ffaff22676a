import { mailroomOperations } from '../../../preload/contract/mailroom.js';
import type { HandlerTable } from '../handler-types.js';

export const mailroomHandlers: HandlerTable<typeof mailroomOperations> = {};
