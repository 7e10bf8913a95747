import pkg from "../../package.json" with { type: "json" };

/** The gateway's version, from package.json (inlined into the compiled binary). */
export const VERSION: string = pkg.version;
