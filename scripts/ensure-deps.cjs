#!/usr/bin/env node
// Runs before every package.json script a newcomer may type first (`npm start`, `npm test`, `npm run
// build`, …): installs the dependencies, Bun included, when node_modules is missing, lacks Bun, or does
// not hold what package-lock.json names. Plain Node and no dependencies: it runs before any are installed.
"use strict";
const { execSync } = require("node:child_process");
const { readFileSync, statSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const at = (path) => join(root, path);
const mtime = (path) => {
  try {
    return statSync(at(path)).mtimeMs;
  } catch {
    return 0;
  }
};
const packages = (path) => JSON.parse(readFileSync(at(path), "utf8")).packages || {};

/**
 * Whether node_modules (npm's own record of it, node_modules/.package-lock.json) holds every package of
 * package-lock.json at its version. Optional packages (other platforms' binaries) may be absent. Only read
 * when the lock file is the newer one: a checkout touches it without changing what it names.
 */
function lockSatisfied(installedAt) {
  if (mtime("package-lock.json") <= installedAt) return true;
  try {
    const installed = packages("node_modules/.package-lock.json");
    for (const [path, wanted] of Object.entries(packages("package-lock.json"))) {
      if (!path) continue;
      const have = installed[path];
      if (have ? have.version !== wanted.version : !wanted.optional) return false;
    }
    return true;
  } catch {
    return false;
  }
}

const installedAt = mtime("node_modules/.package-lock.json");
const bun = process.platform === "win32" ? "node_modules/.bin/bun.exe" : "node_modules/.bin/bun";
if (!installedAt || !mtime(bun) || !lockSatisfied(installedAt)) {
  console.log("ensure-deps: installing dependencies (npm install)…");
  execSync("npm install --no-audit --no-fund", { cwd: root, stdio: "inherit" });
}
