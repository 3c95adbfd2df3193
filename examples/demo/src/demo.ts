import { formatReport } from './report.js';
import { runDemo } from './run-demo.js';

// `pnpm demo`: builds, then runs this file. Exits 0 when everything arrived cleanly.
runDemo({ log: (line) => console.log(line) }).then(
  (result) => {
    console.log('');
    console.log(formatReport(result));
    process.exitCode = result.problems.length === 0 ? 0 : 1;
  },
  (error: unknown) => {
    console.error('The demo failed:', error);
    process.exitCode = 1;
  },
);
