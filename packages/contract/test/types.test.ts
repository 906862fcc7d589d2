// The committed types are what openapi-typescript makes of the committed documents today.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { generatedTypes, TYPED_DOCUMENTS } from "../scripts/generate-types.ts";

describe("generated types", () => {
  it.each(TYPED_DOCUMENTS)("types/%s.ts matches openapi/%s.json", async (name) => {
    const committed = await readFile(new URL(`../types/${name}.ts`, import.meta.url), "utf8");
    expect(committed, "run: npm run generate -w @beseda/contract").toBe(await generatedTypes(name));
  });
});
