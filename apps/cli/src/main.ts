#!/usr/bin/env node
// The `flk` entry point: binds run() to the process. Everything else is in run.ts.
import { readFile } from 'node:fs/promises';
import { run } from './run.js';

// A closed pipe (`flk pcs id *.json | head -1`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

try {
  process.exitCode = await run(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readFile: (path) => readFile(path),
  });
} catch {
  // run() reports every error itself; only a broken stderr gets here. Nothing left to print to.
  process.exitCode = 70;
}
