import type { Worker } from 'node:worker_threads';

export function prestartWorker(bootUrl: URL, entryHref: string): Worker;
export function takePrestartedWorker(entryHref: string): Worker | undefined;
