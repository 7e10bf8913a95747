/**
 * Chat Completions messages as canonical ones: system/developer texts apart, consecutive `tool` messages
 * merged into one user turn (with the user message that follows them), tool result names filled from the
 * calls they answer, and Gemini signatures unpacked from tool call ids.
 */
import type { CanonicalMessage, ContentPart, Feature, ImagePart, TextPart, ToolCallPart } from "../canonical";
import { invalid } from "../request";
import { unpackToolCallId } from "../tool-id";
import { mediaFromUrl, reasoningOf } from "./convert";
import { optionalString, requireObject, requireString } from "./read-body";

type Json = Record<string, unknown>;

/** Text of one text (or refusal) part. */
function partText(p: Json, at: string): string {
  if (p.type === "text") return requireString(p.text, `${at}.text`);
  if (p.type === "refusal") return requireString(p.refusal, `${at}.refusal`);
  throw invalid(`${at}.type must be "text" here`, `${at}.type`);
}

/** Text of a content that may only hold text: a string, or text (and refusal) parts joined. */
function textOnly(content: unknown, path: string): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw invalid(`${path} must be a string or an array of parts`, path);
  let out = "";
  content.forEach((part, i) => {
    out += partText(requireObject(part, `${path}[${i}]`), `${path}[${i}]`);
  });
  return out;
}

/** Per-request state while reading messages. */
export class MessageReader {
  readonly system: string[] = [];
  readonly messages: CanonicalMessage[] = [];
  readonly features = new Set<Feature>();
  /** Tool call id → name, to fill `name` on tool results (Gemini matches results by name). */
  readonly #toolNames = new Map<string, string>();
  /** Legacy function_call ids not yet answered, by function name. */
  readonly #openFunctionCalls = new Map<string, string[]>();
  /** Whether the last canonical message is a user turn started by tool results. */
  #inToolTurn = false;

  read(message: Json, i: number): void {
    const at = `messages[${i}]`;
    const role = message.role;
    switch (role) {
      case "system":
      case "developer":
        this.system.push(textOnly(message.content, `${at}.content`));
        this.#inToolTurn = false;
        return;
      case "user":
        this.#user(this.#userContent(message.content, `${at}.content`));
        return;
      case "assistant":
        this.#assistant(message, at);
        return;
      case "tool":
        this.#toolResult(requireString(message.tool_call_id, `${at}.tool_call_id`), message.content, at);
        return;
      case "function": {
        // Legacy function results: matched to the oldest unanswered function_call of that name.
        const name = requireString(message.name, `${at}.name`);
        const id = this.#openFunctionCalls.get(name)?.shift() ?? `call_${name}`;
        this.#toolResult(id, message.content, at);
        return;
      }
      default:
        throw invalid(`${at}.role must be one of system, developer, user, assistant, tool`, `${at}.role`);
    }
  }

  #user(content: ContentPart[]): void {
    const last = this.messages[this.messages.length - 1];
    if (this.#inToolTurn && last?.role === "user") last.content.push(...content);
    else this.messages.push({ role: "user", content });
    this.#inToolTurn = false;
  }

  #userContent(content: unknown, path: string): ContentPart[] {
    if (typeof content === "string") return [{ type: "text", text: content }];
    if (!Array.isArray(content)) throw invalid(`${path} must be a string or an array of parts`, path);
    const parts: ContentPart[] = [];
    content.forEach((part, i) => {
      const at = `${path}[${i}]`;
      const p = requireObject(part, at);
      switch (p.type) {
        case "text":
          parts.push({ type: "text", text: requireString(p.text, `${at}.text`) });
          return;
        case "image_url":
          parts.push(imagePart(p, at));
          return;
        case "input_audio":
          this.features.add("audio");
          return;
        case "file": {
          const file = requireObject(p.file, `${at}.file`);
          const data = file.file_data;
          if (typeof data !== "string") {
            // Uploaded file ids live in one vendor's storage: no other upstream can read them.
            throw invalid(`${at}.file: only inline file_data can be translated`, `${at}.file.file_data`);
          }
          const title = optionalString(file, "filename", `${at}.file.filename`);
          parts.push({ type: "document", source: mediaFromUrl(data), ...(title ? { title } : {}) });
          return;
        }
        default:
          throw invalid(`${at}.type must be one of text, image_url, input_audio, file`, `${at}.type`);
      }
    });
    return parts;
  }

  #assistant(message: Json, at: string): void {
    const content: ContentPart[] = [];
    // DeepSeek (and vLLM / OpenRouter as `reasoning`) return reasoning beside the answer; clients send it back.
    const reasoning = reasoningOf(message);
    if (reasoning !== undefined) {
      content.push({ type: "thinking", text: reasoning, origin: "openai" });
    }
    const text = textOnly(message.content, `${at}.content`);
    if (text !== "") content.push({ type: "text", text });
    if (typeof message.refusal === "string" && message.refusal !== "") {
      content.push({ type: "text", text: message.refusal });
    }
    const calls = message.tool_calls;
    if (calls !== undefined && calls !== null) {
      if (!Array.isArray(calls)) throw invalid(`${at}.tool_calls must be an array`, `${at}.tool_calls`);
      calls.forEach((call, j) => content.push(this.#toolCall(call, `${at}.tool_calls[${j}]`)));
    }
    if (message.function_call !== undefined && message.function_call !== null) {
      const fn = requireObject(message.function_call, `${at}.function_call`);
      const name = requireString(fn.name, `${at}.function_call.name`);
      const id = `call_${name}_${this.#toolNames.size}`;
      const open = this.#openFunctionCalls.get(name) ?? [];
      open.push(id);
      this.#openFunctionCalls.set(name, open);
      this.#toolNames.set(id, name);
      content.push({ type: "tool_call", id, name, arguments: argumentsText(fn.arguments) });
    }
    // An assistant message with nothing in it (`content: ""`) says nothing; strict upstreams reject it.
    if (content.length > 0) this.messages.push({ role: "assistant", content });
    this.#inToolTurn = false;
  }

  #toolCall(call: unknown, at: string): ToolCallPart {
    const c = requireObject(call, at);
    if (c.type !== undefined && c.type !== "function") {
      throw invalid(`${at}.type must be "function"`, `${at}.type`);
    }
    const fn = requireObject(c.function, `${at}.function`);
    const name = requireString(fn.name, `${at}.function.name`);
    const { id, signature } = unpackToolCallId(requireString(c.id, `${at}.id`));
    this.#toolNames.set(id, name);
    return {
      type: "tool_call",
      id,
      name,
      arguments: argumentsText(fn.arguments),
      ...(signature ? { signature } : {}),
    };
  }

  #toolResult(rawId: string, content: unknown, at: string): void {
    const { id } = unpackToolCallId(rawId);
    const parts: (TextPart | ImagePart)[] = [];
    if (Array.isArray(content)) {
      content.forEach((part, i) => {
        const p = requireObject(part, `${at}.content[${i}]`);
        // Tool messages take text parts; an image part is accepted too rather than refused.
        if (p.type === "image_url") parts.push(imagePart(p, `${at}.content[${i}]`));
        else parts.push({ type: "text", text: partText(p, `${at}.content[${i}]`) });
      });
    } else {
      parts.push({ type: "text", text: textOnly(content, `${at}.content`) });
    }
    const name = this.#toolNames.get(id);
    const result: ContentPart = {
      type: "tool_result",
      toolCallId: id,
      ...(name !== undefined ? { name } : {}),
      content: parts,
    };
    const last = this.messages[this.messages.length - 1];
    if (this.#inToolTurn && last?.role === "user") last.content.push(result);
    else this.messages.push({ role: "user", content: [result] });
    this.#inToolTurn = true;
  }
}

function imagePart(p: Json, at: string): ImagePart {
  const image = requireObject(p.image_url, `${at}.image_url`);
  const url = requireString(image.url, `${at}.image_url.url`);
  const detail = optionalString(image, "detail", `${at}.image_url.detail`);
  return { type: "image", source: mediaFromUrl(url), ...(detail ? { detail } : {}) };
}

/** Arguments as JSON text; a few clients send them as an object. */
function argumentsText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "{}";
  return JSON.stringify(value);
}
