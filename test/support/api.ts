/** Calls operations the way the UI does (through dispatch), for tests that drive a real station. */
import { dispatch } from '../../main/api/dispatch.js';
import type { ApiContext } from '../../main/api/context.js';

export function stationCaller(context: () => ApiContext) {
  return {
    /** The operation's value; throws with the station's code and message when it is refused. */
    async call<T>(name: string, input: unknown): Promise<T> {
      const result = await dispatch(context(), name, input);
      if (!result.ok) throw new Error(`${name} failed: ${result.code}: ${result.message}`);
      return result.value as T;
    },
    /** The refusal; throws when the operation was not refused. */
    async refused(name: string, input: unknown): Promise<{ code: string; message: string }> {
      const result = await dispatch(context(), name, input);
      if (result.ok) throw new Error(`${name} was expected to be refused`);
      return result;
    },
  };
}
