#!/usr/bin/env -S node --max-semi-space-size=8
// Entry point of the `beseda` command, in plain JavaScript on purpose. Node strips a TypeScript
// module's types with amaro, a WebAssembly build of swc that held ~30 MB of the main thread once
// loaded; a module found in Node's on-disk compile cache needs no stripping. This file turns the
// cache on before any TypeScript loads, so from the second start on the server never loads amaro
// (workers start the same way: worker-thread.ts), and start-up skips the compiling it did before.
// --max-semi-space-size=8 (MB) bounds V8's young generation: under load Node 24 grew it to 64 MB
// and more, and the server's peak RSS to ~400 MB at 1 million messages; bounded, it stays near
// 200 MB and answers faster (BENCHMARKS.md). package.json's scripts and the bench pass the same.
import { enableCompileCache } from "node:module";

enableCompileCache();
await import("./cli-commands.ts");
