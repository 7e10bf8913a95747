/**
 * A minimal OpenAI chat upstream for tests that must see a stream arrive while it is still being produced:
 * a plain answer at once, or a stream whose first chunk goes out at once and whose rest waits until the
 * test releases it. And a reader that waits for what arrived so far to match, chunk by chunk.
 */
import type { Server } from "bun";

/** A promise with its resolver, for the upstream's held streams. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const enc = new TextEncoder();
const chunk = (content: string) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-lb",
    object: "chat.completion.chunk",
    created: 1,
    model: "up",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  })}\n\n`;
const LAST = `data: ${JSON.stringify({
  id: "chatcmpl-lb",
  object: "chat.completion.chunk",
  created: 1,
  model: "up",
  choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
})}\n\ndata: [DONE]\n\n`;

/**
 * An OpenAI-style upstream: a plain answer at once, or a stream whose first chunk goes out at once and whose
 * rest waits until the test releases it (each held stream is one entry of `held`, in arrival order).
 */
export function startHeldStreamUpstream() {
  const held: { release: () => void }[] = [];
  const server: Server<undefined> = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = (await req.json()) as { stream?: boolean };
      if (!body.stream)
        return Response.json({
          id: "chatcmpl-lb",
          object: "chat.completion",
          created: 1,
          model: "up",
          choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        });
      const gate = deferred();
      held.push({ release: gate.resolve });
      const stream = new ReadableStream<Uint8Array>({
        async start(c) {
          c.enqueue(enc.encode(chunk("first")));
          await gate.promise;
          c.enqueue(enc.encode(chunk(" second")));
          c.enqueue(enc.encode(LAST));
          c.close();
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, held, stop: () => server.stop(true) };
}

/** Reads a response body as text pieces as they arrive. */
export function streamReader(res: Response) {
  const r = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  let text = "";
  return {
    text: () => text,
    /** Reads until `re` matches what arrived so far; fails after `timeoutMs` if it never does. */
    async until(re: RegExp, timeoutMs = 10_000): Promise<string> {
      const deadline = Bun.sleep(timeoutMs).then(() => "deadline" as const);
      while (!re.test(text)) {
        const next = await Promise.race([r.read(), deadline]);
        if (next === "deadline") throw new Error(`no ${re} within ${timeoutMs} ms; got: ${text}`);
        if (next.done) throw new Error(`the body ended before ${re}; got: ${text}`);
        text += dec.decode(next.value, { stream: true });
      }
      return text;
    },
  };
}
