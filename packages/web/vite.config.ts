import { defineConfig } from "vite";

/** Where `npm run dev` sends API calls: a server started with `npm run dev:server` (port 8080). */
const API = process.env.CORDON_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  server: {
    proxy: { "/api": API, "/docs": API, "/openapi.json": API },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // antd's core (shared by every page) is one chunk of about 250 kB gzipped; pages and charts load lazily.
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: "vendor-react",
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|i18next|react-i18next)[\\/]/,
            },
            { name: "vendor-echarts", test: /node_modules[\\/](echarts|zrender)[\\/]/ },
          ],
        },
      },
      onwarn(warning, warn) {
        // antd marks its modules "use client" for React Server Components; meaningless in this SPA.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
});
