// The SDK's copies of the generated types are what openapi-typescript makes of the contract's
// documents today, and every operation of those documents has a method of the same name.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CLIENT_DOCUMENTS, generatedTypes } from "../scripts/generate-types.ts";
import { AvitoMessenger } from "../src/index.ts";

async function operationIds(name: string): Promise<string[]> {
  const url = new URL(`../../contract/openapi/${name}.json`, import.meta.url);
  const document = JSON.parse(await readFile(url, "utf8")) as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  return Object.values(document.paths).flatMap((item) =>
    Object.values(item).flatMap((operation) =>
      typeof operation === "object" && operation?.operationId ? [operation.operationId] : [],
    ),
  );
}

describe("generated types", () => {
  it.each(CLIENT_DOCUMENTS)("src/generated/%s.ts matches the contract's document", async (name) => {
    const committed = await readFile(
      new URL(`../src/generated/${name}.ts`, import.meta.url),
      "utf8",
    );
    expect(committed, "run: npm run generate -w @beseda/avito-messenger").toBe(
      await generatedTypes(name),
    );
  });
});

describe("operations", () => {
  it("has a method named after every operationId of the messenger and auth documents", async () => {
    const ids = [...(await operationIds("messenger")), ...(await operationIds("auth"))];
    expect(ids.length).toBe(14);
    const client = new AvitoMessenger() as unknown as Record<string, unknown>;
    const missing = ids.filter((id) => typeof client[id] !== "function");
    expect(missing).toEqual([]);
  });
});
