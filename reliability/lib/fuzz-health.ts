// After the fuzz run: is the server still well? GET /healthz answers 200 {"status":"ok"}, the
// process is alive, and the plain path still works: a new token, a text sent, and that text read
// back as the newest message of its chat.
import type { BenchServer } from "../../bench/lib/server-process.ts";
import type { World } from "./fuzz-world.ts";

async function json(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** What is wrong with the server after the run; empty when it is healthy. */
export async function healthProblems(server: BenchServer, world: World): Promise<string[]> {
  const problems: string[] = [];
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    return [
      `the process is gone (exit ${server.child.exitCode}, signal ${server.child.signalCode})`,
    ];
  }
  try {
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    const body = await json(health);
    if (health.status !== 200 || (body as { status?: unknown } | null)?.status !== "ok") {
      problems.push(`GET /healthz answered ${health.status} ${JSON.stringify(body)}`);
    }
    const actor = world.actors[0];
    const chat = world.chats.find(
      (c) => actor && c.userIds.includes(actor.userId) && c.type === "u2i",
    );
    if (!actor || !chat) throw new Error("the world has no actor with a u2i chat");
    const issued = await fetch(`${server.url}/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: actor.clientId,
        client_secret: actor.clientSecret,
      }),
      signal: AbortSignal.timeout(5000),
    });
    const token = ((await json(issued)) as { access_token?: string } | null)?.access_token;
    if (!token) throw new Error(`POST /token answered ${issued.status}`);
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const base = `${server.url}/messenger`;
    const chatPath = `accounts/${actor.userId}/chats/${encodeURIComponent(chat.id)}`;
    const sent = await fetch(`${base}/v1/${chatPath}/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({ message: { text: "still there?" }, type: "text" }),
      signal: AbortSignal.timeout(5000),
    });
    const id = ((await json(sent)) as { id?: string } | null)?.id;
    if (sent.status !== 200 || !id) throw new Error(`a valid send answered ${sent.status}`);
    const read = await fetch(`${base}/v3/${chatPath}/messages/?limit=5`, {
      headers,
      signal: AbortSignal.timeout(5000),
    });
    const messages = (await json(read)) as { id?: string }[] | null;
    if (read.status !== 200 || !Array.isArray(messages) || !messages.some((m) => m.id === id)) {
      problems.push(
        `the message just sent is not read back (getMessagesV3 answered ${read.status})`,
      );
    }
  } catch (error) {
    problems.push((error as Error).message);
  }
  return problems;
}
