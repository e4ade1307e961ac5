import { describeKillRestart } from './crash-harness.ts';

/** Crash safety on a SQLite file: see crash-harness.ts. */
describeKillRestart('sqlite');
