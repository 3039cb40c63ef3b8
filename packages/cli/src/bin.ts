#!/usr/bin/env node
import { main } from './program';

// `tbptt sweep --plan | head`: a closed pipe ends the output quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tbptt: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
