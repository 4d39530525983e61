import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The platform's structured JSON logger (Powertools). Level from
 * `POWERTOOLS_LOG_LEVEL` (default INFO); one line per event, with the stage.
 *
 * @example
 * platformLogger.info('ingestion', { tenant: 'zoo', rows: 1000, status: 'ingested' });
 */
export const platformLogger = new Logger({
  serviceName: 'mysimbdp',
  persistentKeys: { stage: process.env.MYSIMBDP_STAGE ?? 'local' },
});
