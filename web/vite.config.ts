import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

// Built files land in web/dist with hashed names under /assets/; scripts/gen-ui-assets.ts then
// turns them into the module the server embeds. `vite dev` proxies the API to a local gateway.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [solid()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
  },
  server: {
    port: 5173,
    proxy: { "/api": { target: "http://127.0.0.1:7070", changeOrigin: true } },
  },
});
