import { mailroomOperations } from '../../../preload/contract/mailroom.js';
import type { HandlerTable } from '../handler-types.js';
import { notFound } from '../errors.js';
import { getBatchReview, listBatches, sendBatch } from '../../mailroom/flow/review.js';

export const mailroomHandlers: HandlerTable<typeof mailroomOperations> = {
  listBatches: ({ station }, { limit }) => ({ items: listBatches(station, limit) }),
  getBatchReview: ({ station }, { batchId }) => {
    const review = getBatchReview(station, batchId);
    if (!review) throw notFound('Batch', batchId);
    return review;
  },
  sendBatch: ({ station, actor }, { batchId }) => {
    const outcome = sendBatch(station, actor, batchId);
    if (!outcome) throw notFound('Batch', batchId);
    return { queued: outcome.queued.length, notReady: outcome.notReady };
  },
};
