import { GatewayError } from "../core/errors";

/** A write refused by a constraint, named the same way by every backend. */
export class ConstraintError extends Error {
  constructor(
    readonly kind: "unique" | "foreign_key",
    message: string,
  ) {
    super(message);
    this.name = "ConstraintError";
  }
}

/** The database cannot be reached: admin reads and writes answer 503 until it is back. */
export class StorageUnavailable extends GatewayError {
  constructor() {
    super(503, "unavailable", "the database is unreachable; try again shortly");
  }
}

export const storageUnavailable = () => new StorageUnavailable();
