import { mailroomOperations } from '../../../preload/contract/mailroom.js';
import type { HandlerTable } from '../handler-types.js';
import { notFound } from '../errors.js';
import { getBatchReview, listBatches, sendBatch } from '../../mailroom/flow/review.js';
import { coverSheet, separatorSheet, SheetRequestError } from '../../mailroom/sheets/requests.js';
import { ApiError } from '../errors.js';

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
  makeSeparatorSheet: async () => {
    const sheet = await separatorSheet();
    return { fileName: sheet.fileName, pdfBase64: Buffer.from(sheet.pdf).toString('base64'), bytes: sheet.pdf.length };
  },
  makeCoverSheet: async ({ station }, input) => {
    try {
      const sheet = await coverSheet(input, { findCustomer: (number) => station.customers.findByNumber(number), documentTypes: station.config.documentTypes });
      return {
        fileName: sheet.fileName,
        pdfBase64: Buffer.from(sheet.pdf).toString('base64'),
        bytes: sheet.pdf.length,
        customerNumber: sheet.customerNumber,
        customerName: sheet.customerName,
        documentType: sheet.documentType,
      };
    } catch (error) {
      if (error instanceof SheetRequestError) throw new ApiError(error.code, error.message);
      throw error;
    }
  },
};
