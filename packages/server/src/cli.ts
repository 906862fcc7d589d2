#!/usr/bin/env -S node --max-semi-space-size=8
// Entry point of the `beseda` command. Start-up time is mostly module compilation (TypeScript
// stripping included), so Node's on-disk compile cache is turned on before anything else loads.
// --max-semi-space-size=8 (MB) bounds V8's young generation: under load Node 24 grew it to 64 MB
// and more, and the server's peak RSS to ~400 MB at 1 million messages; bounded, it stays near
// 200 MB and answers faster (BENCHMARKS.md). package.json's scripts and the bench pass the same.
import { enableCompileCache } from "node:module";

enableCompileCache();
await import("./cli-commands.ts");
