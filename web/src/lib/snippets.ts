/** Client setup snippets for the quickstart, filled with the gateway's address, a model and a key. */

export interface SnippetVars {
  /** The gateway's origin, e.g. http://localhost:7070 (no trailing slash). */
  base: string;
  model: string;
  key: string;
}

export type SnippetKind = "curl" | "typescript" | "python" | "claude" | "codex" | "gemini";
export const SNIPPET_KINDS: SnippetKind[] = ["curl", "typescript", "python", "claude", "codex", "gemini"];

/** Each protocol's base URL (what SDKs call baseURL) and the endpoint clients post to. */
export function baseUrls(base: string) {
  return [
    { protocol: "OpenAI Chat Completions", baseUrl: `${base}/v1`, endpoint: "POST /v1/chat/completions" },
    { protocol: "OpenAI Responses", baseUrl: `${base}/v1`, endpoint: "POST /v1/responses" },
    { protocol: "Anthropic Messages", baseUrl: base, endpoint: "POST /v1/messages" },
    { protocol: "Gemini", baseUrl: base, endpoint: "POST /v1beta/models/{model}:generateContent" },
  ];
}

const json = (v: unknown) => JSON.stringify(v);

function curl(v: SnippetVars): string {
  const hi = [{ role: "user", content: "Hello" }];
  return [
    "# OpenAI Chat Completions",
    `curl ${v.base}/v1/chat/completions \\`,
    `  -H "Authorization: Bearer ${v.key}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${json({ model: v.model, messages: hi })}'`,
    "",
    "# OpenAI Responses",
    `curl ${v.base}/v1/responses \\`,
    `  -H "Authorization: Bearer ${v.key}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${json({ model: v.model, input: "Hello" })}'`,
    "",
    "# Anthropic Messages",
    `curl ${v.base}/v1/messages \\`,
    `  -H "x-api-key: ${v.key}" \\`,
    `  -H "anthropic-version: 2023-06-01" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${json({ model: v.model, max_tokens: 1024, messages: hi })}'`,
    "",
    "# Gemini",
    `curl "${v.base}/v1beta/models/${v.model}:generateContent" \\`,
    `  -H "x-goog-api-key: ${v.key}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${json({ contents: [{ parts: [{ text: "Hello" }] }] })}'`,
  ].join("\n");
}

const typescript = (v: SnippetVars) => `import OpenAI from "openai";

const client = new OpenAI({ baseURL: ${json(`${v.base}/v1`)}, apiKey: ${json(v.key)} });

const reply = await client.chat.completions.create({
  model: ${json(v.model)},
  messages: [{ role: "user", content: "Hello" }],
});
console.log(reply.choices[0].message.content);`;

const python = (v: SnippetVars) => `from openai import OpenAI

client = OpenAI(base_url=${json(`${v.base}/v1`)}, api_key=${json(v.key)})

reply = client.chat.completions.create(
    model=${json(v.model)},
    messages=[{"role": "user", "content": "Hello"}],
)
print(reply.choices[0].message.content)`;

const claude = (v: SnippetVars) => `export ANTHROPIC_BASE_URL=${v.base}
export ANTHROPIC_AUTH_TOKEN=${v.key}
export ANTHROPIC_MODEL=${v.model}
claude`;

const codex = (v: SnippetVars) => `# ~/.codex/config.toml
model = ${json(v.model)}
model_provider = "llmio"

[model_providers.llmio]
name = "llmio"
base_url = ${json(`${v.base}/v1`)}
env_key = "LLMIO_API_KEY"
wire_api = "responses"

# then, in your shell:
export LLMIO_API_KEY=${v.key}
codex`;

const gemini = (v: SnippetVars) => `export GOOGLE_GEMINI_BASE_URL=${v.base}
export GEMINI_API_KEY=${v.key}
gemini -m ${v.model}`;

const BUILDERS: Record<SnippetKind, (v: SnippetVars) => string> = {
  curl,
  typescript,
  python,
  claude,
  codex,
  gemini,
};

export const snippet = (kind: SnippetKind, v: SnippetVars): string => BUILDERS[kind](v);
