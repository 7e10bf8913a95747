import type { Database } from "bun:sqlite";

/** How a column is stored: as is, as 0/1, or as JSON text. */
export type Codec = "plain" | "bool" | "json";

type Row = Record<string, unknown>;

/**
 * A small typed table gateway: row ↔ entity conversion plus the CRUD statements every
 * configuration table needs. Statements are prepared once per SQL text (bun:sqlite caches `query`).
 */
export class Table<E extends { id: number }> {
  readonly codecs: [string, Codec][];

  constructor(
    readonly name: string,
    codecs: Record<string, Codec>,
    readonly order = "id",
  ) {
    this.codecs = Object.entries(codecs);
  }

  fromRow(row: Row): E {
    for (const [col, codec] of this.codecs) {
      const v = row[col];
      if (codec === "bool") row[col] = v === 1 || v === true;
      else if (codec === "json") row[col] = typeof v === "string" ? JSON.parse(v) : v;
    }
    return row as E;
  }

  /** A value as a statement binds it; `nativeBool` for a backend with a boolean type. */
  toValue(col: string, v: unknown, nativeBool = false): unknown {
    const codec = this.codecs.find(([c]) => c === col)?.[1] ?? "plain";
    if (v === undefined) return null;
    if (codec === "bool") return nativeBool ? Boolean(v) : v ? 1 : 0;
    if (codec === "json") return JSON.stringify(v ?? {});
    return v;
  }

  all(db: Database, where = "", params: Record<string, string | number | null> = {}): E[] {
    const rows = db.query(`SELECT * FROM ${this.name} ${where} ORDER BY ${this.order}`).all(params) as Row[];
    return rows.map((r) => this.fromRow(r));
  }

  get(db: Database, id: number): E | null {
    const row = db.query(`SELECT * FROM ${this.name} WHERE id = ?`).get(id) as Row | null;
    return row ? this.fromRow(row) : null;
  }

  insert(db: Database, values: Record<string, unknown>, now: number): E {
    const entries = Object.entries(values).filter(([, v]) => v !== undefined);
    const cols = [...entries.map(([k]) => k), "created_at", "updated_at"];
    const args = [...entries.map(([k, v]) => this.toValue(k, v)), now, now];
    const row = db
      .query(
        `INSERT INTO ${this.name} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) RETURNING *`,
      )
      .get(...(args as never[])) as Row;
    return this.fromRow(row);
  }

  /** Updates only the given fields; returns null for an unknown id. */
  update(db: Database, id: number, patch: Record<string, unknown>, now: number): E | null {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return this.get(db, id);
    const sets = [...entries.map(([k]) => `${k} = ?`), "updated_at = ?"];
    const args = [...entries.map(([k, v]) => this.toValue(k, v)), now, id];
    const row = db
      .query(`UPDATE ${this.name} SET ${sets.join(", ")} WHERE id = ? RETURNING *`)
      .get(...(args as never[])) as Row | null;
    return row ? this.fromRow(row) : null;
  }

  remove(db: Database, id: number): boolean {
    return db.query(`DELETE FROM ${this.name} WHERE id = ?`).run(id).changes > 0;
  }
}
