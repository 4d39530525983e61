import { backoff, BATCH_INGEST_MAX_RECEIVE_COUNT } from '../../layers/platform/src';
import type { HandBackPolicy } from './handBack';

/**
 * How the batch queues (upload notifications, chunk tasks) hand a failed
 * message back: an error of the file or of the chunk is retried after 10 s,
 * then 20 s, 40 s, ... at most 15 minutes, and the last of its tries
 * dead-letters it with the reason; an outage is waited out with re-sends at
 * most 30 s apart, so that a file half written is back soon after the service is.
 */
export const BATCH_HAND_BACK = {
  maxReceiveCount: BATCH_INGEST_MAX_RECEIVE_COUNT,
  retryDelaySeconds: (receiveCount: number): number => backoff({ attempt: receiveCount - 1, base: 10, max: 900 }),
  outage: { maxDelaySeconds: 30 },
} satisfies Pick<HandBackPolicy, 'maxReceiveCount' | 'retryDelaySeconds' | 'outage'>;
