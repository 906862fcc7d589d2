// Real Chromium for the tests of pages: Debian's (`apt-get install chromium`; .ci/run installs it
// on a clean machine), driven by playwright-core, or the binary BESEDA_CHROMIUM names. Required,
// not optional: without it the test fails and says how to install it.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const CHROMIUM = process.env.BESEDA_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/** A headless Chromium; `needs` says which tests need it, in the error when it is missing. */
export async function launchChromium(needs: string): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: ${needs} need it. Install it with ` +
        "`apt-get install -y chromium` (Debian; .ci/run does this on a clean machine), or point " +
        "BESEDA_CHROMIUM at a Chromium binary.",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
