import { describeBadInput } from './bad-input-suite.ts';

// Bad input generated from the API (issue 16) on SQLite; the suite is in bad-input-suite.ts.
describeBadInput('sqlite');
