/**
 * How an operation is declared: a strict zod schema for what the UI sends, and the TypeScript type
 * of what it gets back. Main validates every input with the schema, whatever the caller; the output
 * type is for the renderer's compiler only (main is trusted to answer in shape).
 */
import type { z } from 'zod';

export interface OperationSpec<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  /** Phantom: carries the output type, never set. */
  readonly __output?: O;
}

/** `operation<Output>()(inputSchema)`: curried so the output type can be named while the input is inferred. */
export const operation =
  <O>() =>
  <I extends z.ZodType>(input: I): OperationSpec<I, O> => ({ input });

export type OperationTable = Record<string, OperationSpec>;

/** What the caller passes (before defaults are applied). */
export type InputOf<S> = S extends OperationSpec<infer I, unknown> ? z.input<I> : never;
/** What a handler receives (after parsing: defaults applied). */
export type ParsedInputOf<S> = S extends OperationSpec<infer I, unknown> ? z.output<I> : never;
export type OutputOf<S> = S extends OperationSpec<z.ZodType, infer O> ? O : never;

/** Every answer crosses the boundary in this shape; errors never throw across it. */
export type Result<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
