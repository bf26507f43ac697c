//! Shift_JIS (CP932, as Excel in Japan writes it) for tests, without an npm package: Node's
//! TextDecoder reads it, and the encoder is the decoder's table turned around.

const decoder = new TextDecoder('shift_jis', { fatal: true });
let table;

/** Character → bytes, built once from every one- and two-byte sequence the decoder accepts. */
function encodingTable() {
  if (table) return table;
  table = new Map();
  const add = (bytes) => {
    let text;
    try { text = decoder.decode(Uint8Array.from(bytes)); } catch { return; }
    // CP932 has a few characters twice (the NEC and IBM rows); either reads back the same, so
    // the first found is kept.
    if ([...text].length === 1 && !table.has(text)) table.set(text, bytes);
  };
  for (let b = 0; b < 0x80; b++) add([b]);
  for (let b = 0xa1; b <= 0xdf; b++) add([b]);
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead >= 0xa0 && lead <= 0xdf) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) add([lead, trail]);
  }
  return table;
}

/** `text` as Shift_JIS bytes; throws on a character Shift_JIS lacks. */
export function encodeShiftJis(text) {
  const codes = encodingTable();
  const out = [];
  for (const char of text) {
    const bytes = codes.get(char);
    if (!bytes) throw new Error(`not in Shift_JIS: ${char}`);
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}

/** Shift_JIS bytes as text; throws on malformed bytes. */
export function decodeShiftJis(bytes) {
  return decoder.decode(bytes);
}
