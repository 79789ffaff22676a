import type { OperationTable, OutputOf, ParsedInputOf } from '../../preload/contract/define.js';
import type { ApiContext } from './context.js';

/** One handler per operation of an area, typed from the contract. */
export type HandlerTable<T extends OperationTable> = {
  [N in keyof T]: (context: ApiContext, input: ParsedInputOf<T[N]>) => OutputOf<T[N]> | Promise<OutputOf<T[N]>>;
};
