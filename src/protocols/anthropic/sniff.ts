import { child, isObject, text, tokenLimit } from "../json";
import {
  assertObjectBody,
  assertToolsArray,
  headerSessionId,
  isNonEmptyArray,
  optionalBoolean,
  requireModel,
  requireObjectArray,
  scanChatMessages,
} from "../request";
import type { Sniffed, SniffContext } from "../types";

/** Whether a content block list holds an image, looking one level into tool results (screenshots). */
function hasImage(blocks: unknown[]): boolean {
  for (const block of blocks) {
    if (!isObject(block)) continue;
    if (block.type === "image") return true;
    if (block.type === "tool_result" && Array.isArray(block.content) && hasImage(block.content)) return true;
  }
  return false;
}

const CLAUDE_CODE_SESSION = /session_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/**
 * The session in `metadata.user_id`: Claude Code sends `user_<hash>_account_<uuid>_session_<uuid>`, newer
 * versions a JSON string with `session_id`; any other user_id is taken whole.
 */
export function sessionFromAnthropicUserId(userId: string): string {
  if (userId.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(userId);
      const session = isObject(parsed) ? text(parsed.session_id) : undefined;
      if (session) return session;
    } catch {
      // Not JSON after all: fall through to the string forms.
    }
  }
  return CLAUDE_CODE_SESSION.exec(userId)?.[1] ?? userId;
}

/** Reads a Messages request: model, stream, needs and session. */
export function sniffAnthropicRequest(body: Record<string, unknown>, ctx: SniffContext): Sniffed {
  assertObjectBody(body);
  const model = requireModel(body.model);
  const stream = optionalBoolean(body, "stream");
  const messages = requireObjectArray(body, "messages", { nonEmpty: true });
  const { image } = scanChatMessages(messages, { hasImage, nullContent: false, itemName: "blocks" });
  assertToolsArray(body);
  const format = child(body, "output_format") ?? child(child(body, "output_config"), "format");
  const userId = text(child(body, "metadata")?.user_id);
  return {
    model,
    stream,
    needs: {
      tools: isNonEmptyArray(body.tools),
      structuredOutput: format?.type === "json_schema",
      image,
    },
    sessionId: headerSessionId(ctx.headers) ?? (userId ? sessionFromAnthropicUserId(userId) : undefined),
    maxOutputTokens: tokenLimit(body.max_tokens),
  };
}
