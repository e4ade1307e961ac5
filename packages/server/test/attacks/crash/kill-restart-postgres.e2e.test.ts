import { describeKillRestart } from './crash-harness.ts';

/** Crash safety on a PostgreSQL schema: see crash-harness.ts. */
describeKillRestart('postgres');
