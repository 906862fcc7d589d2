// `beseda serve --fixture FILE` (BESEDA_FIXTURE): the file is read and imported at start, into an
// empty store only (the caller decides; a data dir that holds a world keeps it). A file that
// cannot be read, is not JSON or is not a valid fixture stops the start with a message that says
// what is wrong, problem by problem.
import { readFile } from "node:fs/promises";
import type { SandboxClock } from "../../clock.ts";
import { BesedaError } from "../../errors/beseda-error.ts";
import type { DomainContext } from "../context.ts";
import { type ImportAnswer, importWorld } from "./import-world.ts";

export class FixtureFileError extends Error {}

export async function loadFixtureFile(
  ctx: DomainContext,
  clock: SandboxClock,
  path: string,
): Promise<ImportAnswer["imported"]> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new FixtureFileError(`fixture ${path}: ${(error as Error).message}`);
  }
  try {
    return (await importWorld(ctx, clock, document, { replace: false })).imported;
  } catch (error) {
    if (!(error instanceof BesedaError) || error.spec.status >= 500) throw error;
    const problems = Object.entries(error.fields ?? {}).map(([field, why]) => `  ${field}: ${why}`);
    throw new FixtureFileError([`fixture ${path}: ${error.message}`, ...problems].join("\n"));
  }
}
