// The one config module: flags win over env vars, env vars over defaults; bad values fail fast;
// and the README's settings table lists every setting (its env var and its flag).
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { ConfigError, DEFAULT_CONFIG, loadConfig, SETTINGS } from "../src/config.ts";

test("defaults, env vars and flags, in that order of precedence", () => {
  const defaults = loadConfig([], {});
  expect(defaults).toMatchObject({ ...DEFAULT_CONFIG, dataDir: expect.stringMatching(/\/data$/) });
  const fromEnv = loadConfig([], {
    PORT: "9000",
    BESEDA_DEMO: "false",
    BESEDA_PUBLIC_URL: "https://chat.example.com/",
  });
  expect(fromEnv).toMatchObject({ port: 9000, demo: false, publicUrl: "https://chat.example.com" });
  const fromFlags = loadConfig(["--port", "9001", "--demo"], {
    PORT: "9000",
    BESEDA_DEMO: "false",
  });
  expect(fromFlags).toMatchObject({ port: 9001, demo: true });
  expect(loadConfig(["--no-demo"], {}).demo).toBe(false);
});

test("bad values are refused with the setting's name", () => {
  expect(() => loadConfig([], { BESEDA_RATE_LIMIT_PER_MINUTE: "0" })).toThrow(ConfigError);
  expect(() => loadConfig([], { BESEDA_TOKEN_TTL_SECONDS: "1.5" })).toThrow(
    /BESEDA_TOKEN_TTL_SECONDS/,
  );
  expect(() => loadConfig(["--log-level", "chatty"], {})).toThrow(/--log-level/);
  expect(() => loadConfig([], { BESEDA_DEMO: "maybe" })).toThrow(/BESEDA_DEMO/);
});

test("the README's settings table lists every setting", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const rows = readme
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) => line.split("|").map((cell) => cell.trim()));
  for (const setting of SETTINGS) {
    const row = rows.find((cells) => cells[1] === `\`${setting.env}\``);
    expect(row, setting.env).toBeDefined();
    expect(row?.[2], setting.env).toContain(`\`--${setting.flag}\``);
  }
});
