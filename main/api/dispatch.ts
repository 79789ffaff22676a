/**
 * The one choke point every call from the UI passes, whether it came over Electron IPC, browser
 * mode's HTTP or a test: look the operation up, parse its payload strictly, run the handler, and
 * turn any failure into `{ ok: false, code, message }`. Callers check the sender before this.
 */
import { operations, type OperationName, type Result } from '../../preload/contract/index.js';
import type { ApiContext } from './context.js';
import { ApiError } from './errors.js';
import { handlers } from './handlers/index.js';

const known = new Set<string>(Object.keys(operations));

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && known.has(name);
}

export async function dispatch(context: ApiContext, name: unknown, payload: unknown): Promise<Result<unknown>> {
  if (!isOperationName(name)) return { ok: false, code: 'unknown_operation', message: `There is no operation named ${JSON.stringify(String(name)).slice(0, 80)}.` };
  const parsed = operations[name].input.safeParse(payload ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`).join('; ');
    return { ok: false, code: 'invalid_input', message: `${name}: ${detail}` };
  }
  try {
    const handler = handlers[name] as (context: ApiContext, input: unknown) => unknown;
    return { ok: true, value: await handler(context, parsed.data) };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, code: error.code, message: error.message };
    context.station.emit('problem', { message: `${name} failed: ${(error as Error).message}` });
    return { ok: false, code: 'internal', message: 'The station could not do that. The error is in the station log; please try again.' };
  }
}
