/**
 * The one IPC handler, 'station:call': the sender frame must be the app's own top frame, the
 * request must be { name, payload } with a known operation and a payload its schema accepts; then
 * it goes to the core process, whose dispatch() checks it again. Events go out by webContents.send.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { z } from 'zod';
import { operations, type OperationName, type Result, type StationEvent } from '../../preload/contract/index.js';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../preload/channels.js';
import { validateSender } from './security.js';

/** Big enough for any operation's input; a larger payload is a bug or an attack. */
export const MAX_PAYLOAD_CHARS = 1024 * 1024;

const callRequestSchema = z.strictObject({
  name: z.string().min(1).max(64).regex(/^[A-Za-z][A-Za-z0-9]*$/, 'an operation name'),
  payload: z.unknown().optional(),
});

export type CallCheck = { ok: true; name: OperationName; payload: unknown } | { ok: false; result: Result<never> };

const refusal = (code: string, message: string): CallCheck => ({ ok: false, result: { ok: false, code, message } });

/** Validates one 'station:call' request from a renderer: shape, operation name, payload size and schema. */
export function checkCallRequest(request: unknown): CallCheck {
  const shape = callRequestSchema.safeParse(request);
  if (!shape.success) return refusal('invalid_request', 'A call must be { name, payload } with an operation name.');
  const { name } = shape.data;
  if (!Object.hasOwn(operations, name)) return refusal('unknown_operation', `There is no operation named ${JSON.stringify(name)}.`);
  const payload = shape.data.payload ?? {};
  let size: number;
  try {
    size = JSON.stringify(payload)?.length ?? 0;
  } catch {
    return refusal('invalid_input', `${name}: the input is not plain data.`);
  }
  if (size > MAX_PAYLOAD_CHARS) return refusal('payload_too_large', `${name}: the input is larger than ${MAX_PAYLOAD_CHARS} characters.`);
  const parsed = operations[name as OperationName].input.safeParse(payload);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`).join('; ');
    return refusal('invalid_input', `${name}: ${detail}`);
  }
  // The raw payload goes on (the core applies defaults itself, with the same schema).
  return { ok: true, name: name as OperationName, payload };
}

export interface CoreCaller {
  call(name: string, payload: unknown): Promise<Result<unknown>>;
}

export async function handleCall(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, request: unknown, core: CoreCaller): Promise<Result<unknown>> {
  if (!validateSender(event.senderFrame)) return { ok: false, code: 'forbidden', message: 'Calls are only accepted from the station window.' };
  const check = checkCallRequest(request);
  if (!check.ok) return check.result;
  return core.call(check.name, check.payload);
}

/** Registers the handler; returns a function that removes it. */
export function registerIpc(ipcMain: IpcMain, core: CoreCaller): () => void {
  ipcMain.handle(CALL_CHANNEL, (event, request: unknown) => handleCall(event, request, core));
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

export function sendEvent(targets: Iterable<WebContents>, event: StationEvent): void {
  for (const contents of targets) {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  }
}
