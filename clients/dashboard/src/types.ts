// The API's answers the page reads, as the API's contract types them. The page
// takes the contract's types, erased from its bundle, and the final statuses
// from the contract's zod-free half, so that its bundle takes neither zod nor
// anything else of the platform's code.
export type { Ingestion, IngestionList, MetricSeries, PlatformOverview, Profile, StreamReport, UploadGrant } from '../../../layers/platform/src/http/contract';
export { FINAL_STATUSES } from '../../../layers/platform/src/http/ingestionStatuses';
