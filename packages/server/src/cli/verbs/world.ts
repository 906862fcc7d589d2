// `beseda export|import|reset`: the sandbox's whole world as one fixture document, loaded back,
// or started over.
import { readFileSync, writeFileSync } from "node:fs";
import { CliError } from "../sandbox-client.ts";
import { UsageError, type Verb } from "../verb.ts";

export const exportVerb: Verb = {
  name: "export",
  summary: "write the whole world (a fixture) to a file or stdout",
  usage: ["beseda export [--out FILE]"],
  options: { out: { type: "string" } },
  async run(_positionals, values, { client, out }) {
    const fixture = await client.callText("GET", "/export");
    const file = values.out as string | undefined;
    if (!file) return out(fixture.trimEnd());
    writeFileSync(file, fixture);
    out(`wrote ${file} (${Math.round(Buffer.byteLength(fixture) / 1024)} KB)`);
  },
};

export const importVerb: Verb = {
  name: "import",
  summary: "load a fixture (into an empty server, or --replace everything)",
  usage: ["beseda import FILE [--replace]"],
  options: { replace: { type: "boolean" } },
  async run([file], values, { client, out }) {
    if (!file) throw new UsageError("import needs a FILE (from beseda export)");
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const answer = await client.callText(
      "POST",
      `/import${values.replace ? "?replace=true" : ""}`,
      text,
    );
    out(`imported ${file}${answer ? `: ${answer.trim()}` : ""}`);
  },
};

export const resetVerb: Verb = {
  name: "reset",
  summary: "empty the store (the admin token stays) and seed the demo world again",
  usage: ["beseda reset [--no-demo]"],
  options: { "no-demo": { type: "boolean" } },
  async run(_positionals, values, { client, out }) {
    const answer = await client.call<unknown>("POST", "/reset", { demo: !values["no-demo"] });
    out(values["no-demo"] ? "reset: the store is empty" : "reset: the demo world is seeded again");
    if (answer && typeof answer === "object" && Object.keys(answer).length > 0) {
      out(JSON.stringify(answer, null, 2));
    }
  },
};
