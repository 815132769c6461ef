import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { initI18n } from "./i18n/i18n.ts";
import { CordonApp } from "./shell/app.tsx";

await initI18n();
const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <CordonApp />
  </StrictMode>,
);
