#!/usr/bin/env node
// Entry point of the `beseda` command. Start-up time is mostly module compilation (TypeScript
// stripping included), so Node's on-disk compile cache is turned on before anything else loads.
import { enableCompileCache } from "node:module";

enableCompileCache();
await import("./cli-commands.ts");
