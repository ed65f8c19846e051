// Worker bootstrap for benchmarks written in TypeScript: registers tsx in the worker thread (module hooks
// are per thread on Node 20), then loads the TypeScript module named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
