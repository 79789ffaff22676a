/**
 * Messages between the Electron main process and the station core in its utilityProcess. Main
 * only routes; the core answers calls with dispatch() and serves resources. Both sides check
 * what they receive (a crashed or confused peer must not crash the other).
 */
import { z } from 'zod';
import type { Result } from '../../preload/contract/define.js';
import type { StationEvent } from '../../preload/contract/events.js';
import type { ResourceResponse } from '../api/resources.js';

export const coreRequestSchema = z.union([
  z.strictObject({ id: z.number().int().nonnegative(), name: z.string().min(1).max(64), payload: z.unknown() }),
  z.strictObject({ id: z.number().int().nonnegative(), resource: z.string().min(1).max(300) }),
  z.strictObject({ stop: z.literal(true) }),
]);
export type CoreRequest = z.infer<typeof coreRequestSchema>;

export type CoreMessage =
  | { ready: true }
  | { failed: string }
  | { id: number; result: Result<unknown> }
  | { id: number; resource: ResourceResponse }
  | { event: StationEvent };

/** The core's answers, checked loosely on the main side (the core is ours; this guards against crashes mid-message). */
export const coreMessageSchema = z.union([
  z.object({ ready: z.literal(true) }),
  z.object({ failed: z.string() }),
  z.object({ id: z.number(), result: z.object({ ok: z.boolean() }).passthrough() }),
  z.object({ id: z.number(), resource: z.object({ status: z.number() }).passthrough() }),
  z.object({ event: z.object({ type: z.string() }).passthrough() }),
]);
