import { sendingOperations, type SendingStatusView } from '../../../preload/contract/sending.js';
import type { Station } from '../../station.js';
import { ApiError, notFound } from '../errors.js';
import type { HandlerTable } from '../handler-types.js';

function statusView(station: Station): SendingStatusView {
  const { probes: _probes, ...view } = station.sending.status();
  return view;
}

export const sendingHandlers: HandlerTable<typeof sendingOperations> = {
  getSendingStatus: ({ station }) => statusView(station),
  retrySend: ({ station, actor }, { id }) => {
    const result = station.sending.retry(id, actor);
    if (result === 'not_found') throw notFound('Document', id);
    if (result === 'not_waiting') throw new ApiError('not_waiting', `Document ${id} is neither waiting to be sent nor stopped by a sending failure.`);
    return statusView(station);
  },
  pauseSending: ({ station, actor }) => {
    station.sending.pause(actor);
    return statusView(station);
  },
  resumeSending: ({ station, actor }) => {
    station.sending.resume(actor);
    return statusView(station);
  },
  listDeliveries: ({ station }, { documentId }) => {
    if (!station.store.documents.get(documentId)) throw notFound('Document', documentId);
    const sent = station.sending.sender.rows.sent(documentId);
    return {
      documentId,
      attempts: station.sending.deliveries(documentId).map((row) => ({
        id: row.id,
        target: row.target,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        outcome: row.outcome,
        counted: row.counted === 1,
        httpStatus: row.http_status,
        code: row.code,
        message: row.message,
        remoteId: row.remote_id,
      })),
      delivered: sent ? { target: sent.target, remoteId: sent.remote_id, sha256: sent.remote_sha256, at: sent.delivered_at, purgedAt: sent.purged_at } : null,
    };
  },
};
