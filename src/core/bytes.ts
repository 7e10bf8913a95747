/** The pieces as one byte array: the piece itself when there is only one (no copy), else a joined copy. */
export function concatBytes(pieces: Uint8Array[], total?: number): Uint8Array {
  if (pieces.length === 1) return pieces[0] as Uint8Array;
  let size = total ?? 0;
  if (total === undefined) for (const piece of pieces) size += piece.byteLength;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.byteLength;
  }
  return out;
}
