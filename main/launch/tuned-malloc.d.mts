export const TUNED_MALLOC_ENV: Readonly<{ MALLOC_ARENA_MAX: string; MALLOC_MMAP_THRESHOLD_: string; MALLOC_TRIM_THRESHOLD_: string }>;
export function wantsTunedMallocRelaunch(env?: Record<string, string | undefined>, platform?: string): boolean;
export function relaunchWithTunedMalloc(script: string, args: string[]): void;
export function endWithLauncher(): void;
