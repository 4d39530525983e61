// The unit tests drive the core through refusals and outages on purpose: its info lines would bury jest's report.
// Warnings and errors still show.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
