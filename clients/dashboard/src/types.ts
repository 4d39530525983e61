// The API's answers the page reads, as the API's contract types them: types
// only, which leave nothing of the platform's code in the page's bundle.
import type { FinalStatus } from '../../../layers/platform/src';

export type { Ingestion, IngestionList, MetricSeries, PlatformOverview, Profile, StreamReport, UploadGrant } from '../../../layers/platform/src';

/** Exactly the contract's final statuses: a status missing here, or one that is not final, fails the type check. */
const FINAL: Readonly<Record<FinalStatus, true>> = { validated: true, ingested: true, rejected: true, failed: true };
/** Statuses after which a file's ingestion changes no more. */
export const FINAL_STATUSES: readonly string[] = Object.keys(FINAL);
