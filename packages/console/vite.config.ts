// Builds the console into dist/, served by Beseda at /console. `npm run dev -w @beseda/console`
// serves it with hot reload and sends API calls to a Beseda at BESEDA_URL (default :8080).
import { defineConfig } from "vite";

const target = process.env.BESEDA_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  base: "/console/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Nothing inlined as data: URLs: the page's CSP allows scripts and styles from 'self' only.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      "/sandbox": { target, changeOrigin: true },
      "/console/session": { target, changeOrigin: true },
      "/media": { target, changeOrigin: true },
    },
  },
});
