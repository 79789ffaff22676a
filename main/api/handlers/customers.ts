import { customerOperations, type CustomerSummaryView } from '../../../preload/contract/customers.js';
import { CsvImportError, UploadError } from '../../customers/index.js';
import { ApiError, notFound } from '../errors.js';
import type { HandlerTable } from '../handler-types.js';

export const customerHandlers: HandlerTable<typeof customerOperations> = {
  searchCustomers: ({ station }, { query, limit }) => ({
    // Exactly the summary fields: the assign panel is built against this shape.
    items: station.customers.search(query, limit).map(
      (c): CustomerSummaryView => ({ id: c.id, customerNumber: c.customerNumber, bgNumber: c.bgNumber, name: c.name, familyName: c.familyName, givenNames: c.givenNames, birthDate: c.birthDate }),
    ),
  }),

  getCustomer: ({ station }, { id }) => {
    const customer = station.customers.get(id);
    if (!customer) throw notFound('Customer', id);
    return customer;
  },

  importCustomersCsv: async ({ station }, { fileName, contentBase64, uploadId }) => {
    try {
      const bytes = contentBase64 !== undefined ? Buffer.from(contentBase64, 'base64') : station.customers.uploads.take(uploadId!);
      return await station.customers.importCsv(bytes, fileName);
    } catch (error) {
      if (error instanceof CsvImportError || error instanceof UploadError) throw new ApiError(error.code, error.message);
      throw error;
    }
  },

  uploadCustomersCsvPart: ({ station }, { uploadId, index, contentBase64 }) => {
    try {
      return { uploadId, ...station.customers.uploads.add(uploadId, index, Buffer.from(contentBase64, 'base64')) };
    } catch (error) {
      if (error instanceof UploadError) throw new ApiError(error.code, error.message);
      throw error;
    }
  },

  syncCustomers: async ({ station }) => {
    if (!station.customers.status().syncConfigured) throw new ApiError('sync_not_configured', 'No directory server is configured (customers.sync.url in the station configuration).');
    const outcome = await station.customers.sync();
    return { ok: outcome.ok, notModified: outcome.notModified, imported: outcome.imported, updated: outcome.updated, deleted: outcome.deleted, skipped: outcome.skipped, error: outcome.error ?? null };
  },

  getDirectoryStatus: ({ station }) => station.customers.status(),
};
