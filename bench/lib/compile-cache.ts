// Node's compile cache as a deployed server has it. Beseda's threads load Node's type stripper
// (~6 MB a thread, more on the main one) only for modules not yet in the cache (src/cli.js), which
// on a deployment is its first start alone. One server started, and made to run each of its
// worker threads once, puts every module in the cache before anything is measured.
import sharp from "sharp";
import { startBenchServer } from "./server-process.ts";
import { closedLoop, drained, jsonClient, receiver, sleep, webhookWorld } from "./webhook-load.ts";

export async function warmCompileCache(): Promise<void> {
  const hook = await receiver();
  const server = await startBenchServer(["--no-webhook-probe", "--rate-limit", "1000000000"]);
  try {
    const { seller, headers, chats } = await webhookWorld(server, hook.url, 2);
    const client = jsonClient(server.url, headers, chats.length);
    // Sends for 2 s: a webhook each (its worker), and enough commits a second for the SQLite
    // store's checkpoint worker to start.
    const sent = new Map<string, number>();
    await closedLoop(chats, 2, async (chatId, text) => {
      const answer = await client.post(
        `/messenger/v1/accounts/${seller.user_id}/chats/${chatId}/messages`,
        { message: { text }, type: "text" },
      );
      if (answer.status !== 200) throw new Error(`warm-up send answered ${answer.status}`);
      sent.set(answer.body.id as string, performance.now());
    });
    client.close();
    await drained(sent, hook.arrivals, 30_000);
    // An upload: the image workers.
    const jpeg = await sharp({
      create: { width: 64, height: 48, channels: 3, background: "#7a8a9a" },
    })
      .jpeg()
      .toBuffer();
    const body = new FormData();
    body.append("uploadfile[]", new Blob([new Uint8Array(jpeg)], { type: "image/jpeg" }), "a.jpg");
    const uploaded = await fetch(
      `${server.url}/messenger/v1/accounts/${seller.user_id}/uploadImages`,
      { method: "POST", headers: { authorization: headers.authorization }, body },
    );
    if (uploaded.status !== 200) throw new Error(`warm-up upload answered ${uploaded.status}`);
    await sleep(1_500); // the checkpointer looks once a second
  } finally {
    await server.stop();
    await hook.close();
  }
}
