const decoder = new TextDecoder();

/**
 * From this size on, Buffer's UTF-8 decoder is several times faster than TextDecoder in Bun (a 1 MiB ASCII
 * prompt: ≈ 0.2 ms against 2.3 ms; 1.3 MB of mixed text: 1.3 against 3.1 ms); below it TextDecoder is as fast.
 */
const LARGE = 4096;

/**
 * UTF-8 bytes as text, exactly as `new TextDecoder().decode()` reads them: invalid sequences become U+FFFD
 * and a leading byte-order mark is dropped.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length < LARGE) return decoder.decode(bytes);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return Buffer.from(bytes.buffer, bytes.byteOffset + bom, bytes.byteLength - bom).toString("utf8");
}
