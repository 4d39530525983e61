/**
 * Thrown by a paced write's sink once the invocation has spent the time it
 * has for writing while its tenant's rate limit holds it back: the rows fed so
 * far are flushed, and the caller saves where it stopped (a chunk) or hands
 * the rest on (a whole file goes in chunks), so that the work goes on in
 * another invocation instead of this one running out of time.
 */
export class WriteTimeSpent extends Error {
  constructor(readonly rowsFed: number) {
    super(`the invocation's time for writing is spent after ${rowsFed} rows`);
    this.name = 'WriteTimeSpent';
  }
}
