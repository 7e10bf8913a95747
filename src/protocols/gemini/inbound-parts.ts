/** The contents of a client's generateContent request, part by part, as canonical content. */
import type { ContentPart, MediaSource, ToolResultPart } from "../canonical";
import { isObject } from "../json";
import { invalid } from "../request";
import { field, fieldObject, idSafe } from "./wire";

/**
 * Ids for function calls of a request. A call without an id gets `call_<name>_<n>`; a response without an
 * id takes the id of the earliest unanswered call of the same name, which is how Gemini itself pairs them.
 */
export class CallIds {
  #pending: { id: string; name: string }[] = [];
  #n = 0;

  call(name: string, id: string | undefined): string {
    const callId = id ?? this.#make(name);
    this.#pending.push({ id: callId, name });
    return callId;
  }

  result(name: string, id: string | undefined): string {
    const at = id
      ? this.#pending.findIndex((p) => p.id === id)
      : this.#pending.findIndex((p) => p.name === name);
    if (at >= 0) return this.#pending.splice(at, 1)[0].id;
    return id ?? this.#make(name);
  }

  #make(name: string): string {
    return `call_${idSafe(name)}_${this.#n++}`;
  }
}

export function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw invalid(`${where} must be a string`, where);
  return value;
}

function media(value: Record<string, unknown>, where: string, kind: "inline" | "file"): MediaSource {
  const mimeType = optionalString(field(value, "mimeType"), `${where}.mimeType`);
  if (kind === "inline") {
    const data = field(value, "data");
    if (typeof data !== "string" || data === "")
      throw invalid(`${where}.data must be a string`, `${where}.data`);
    if (!mimeType) throw invalid(`${where}.mimeType must be a string`, `${where}.mimeType`);
    return { kind: "base64", mediaType: mimeType, data };
  }
  const uri = field(value, "fileUri");
  if (typeof uri !== "string" || uri === "") {
    throw invalid(`${where}.fileUri must be a string`, `${where}.fileUri`);
  }
  return mimeType ? { kind: "url", url: uri, mediaType: mimeType } : { kind: "url", url: uri };
}

function mediaPart(source: MediaSource): ContentPart {
  const mime = (source.mediaType ?? "").toLowerCase();
  // A file without a MIME type is taken for an image unless its name says PDF.
  const image =
    mime.startsWith("image/") || (mime === "" && source.kind === "url" && !/\.pdf$/i.test(source.url));
  return image ? { type: "image", source } : { type: "document", source };
}

/**
 * A functionResponse's `response` object as tool result text. Gemini documents `output` for the result
 * and `error` for a failure; a response holding just one of them as a string is that string (what the
 * outbound side sends for plain text results), anything else is its JSON text.
 */
function resultText(response: Record<string, unknown>): { text: string; isError: boolean } {
  const keys = Object.keys(response);
  if (keys.length === 1 && keys[0] === "output" && typeof response.output === "string") {
    return { text: response.output, isError: false };
  }
  if (keys.length === 1 && keys[0] === "error") {
    const error = response.error;
    return { text: typeof error === "string" ? error : JSON.stringify(error), isError: true };
  }
  return { text: JSON.stringify(response), isError: false };
}

export function decodePart(part: unknown, where: string, ids: CallIds, out: ContentPart[]): void {
  if (!isObject(part)) throw invalid(`${where} must be an object`, where);
  const signature = optionalString(field(part, "thoughtSignature"), `${where}.thoughtSignature`);
  const text = field(part, "text");
  if (text !== undefined && text !== null) {
    if (typeof text !== "string") throw invalid(`${where}.text must be a string`, `${where}.text`);
    if (part.thought === true) {
      out.push({ type: "thinking", text, ...(signature ? { signature } : {}), origin: "gemini" });
      return;
    }
    if (text !== "") out.push({ type: "text", text });
    // A signature on a text part (Gemini 3 puts one on the last part of an answer) is kept as an empty
    // thinking part right after the text; the outbound side puts it back on that text part.
    if (signature) out.push({ type: "thinking", text: "", signature, origin: "gemini" });
    return;
  }
  const inline = fieldObject(part, "inlineData");
  if (inline) {
    out.push(mediaPart(media(inline, `${where}.inlineData`, "inline")));
    return;
  }
  const file = fieldObject(part, "fileData");
  if (file) {
    out.push(mediaPart(media(file, `${where}.fileData`, "file")));
    return;
  }
  const call = fieldObject(part, "functionCall");
  if (call) {
    const name = call.name;
    if (typeof name !== "string" || name === "") {
      throw invalid(`${where}.functionCall.name must be a non-empty string`, `${where}.functionCall.name`);
    }
    const args = call.args ?? {};
    if (!isObject(args))
      throw invalid(`${where}.functionCall.args must be an object`, `${where}.functionCall.args`);
    const id = ids.call(name, optionalString(call.id, `${where}.functionCall.id`));
    out.push({
      type: "tool_call",
      id,
      name,
      arguments: JSON.stringify(args),
      ...(signature ? { signature } : {}),
    });
    return;
  }
  const response = fieldObject(part, "functionResponse");
  if (response) {
    const name = response.name;
    if (typeof name !== "string" || name === "") {
      throw invalid(
        `${where}.functionResponse.name must be a non-empty string`,
        `${where}.functionResponse.name`,
      );
    }
    const value = response.response ?? {};
    if (!isObject(value)) {
      throw invalid(
        `${where}.functionResponse.response must be an object`,
        `${where}.functionResponse.response`,
      );
    }
    const id = ids.result(name, optionalString(response.id, `${where}.functionResponse.id`));
    const { text: resultBody, isError } = resultText(value);
    const content: ToolResultPart["content"] = [{ type: "text", text: resultBody }];
    // Gemini 3 multimodal function responses carry images in `parts`.
    const inner = response.parts;
    if (Array.isArray(inner)) {
      for (let k = 0; k < inner.length; k++) {
        const data = isObject(inner[k])
          ? fieldObject(inner[k] as Record<string, unknown>, "inlineData")
          : undefined;
        if (!data) continue;
        const source = media(data, `${where}.functionResponse.parts[${k}].inlineData`, "inline");
        if (source.mediaType?.toLowerCase().startsWith("image/")) content.push({ type: "image", source });
      }
    }
    out.push({ type: "tool_result", toolCallId: id, name, content, ...(isError ? { isError } : {}) });
    return;
  }
  if (field(part, "executableCode") !== undefined || field(part, "codeExecutionResult") !== undefined) return;
  if (signature) {
    out.push({ type: "thinking", text: "", signature, origin: "gemini" });
    return;
  }
  throw invalid(`${where} must hold text, inlineData, fileData, functionCall or functionResponse`, where);
}
