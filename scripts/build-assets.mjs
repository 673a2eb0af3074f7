// Copies the browser builds of the npm packages into the Django static files (no CDN at run time).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "src", "livsvillkor", "portal", "static", "vendor");
const files = {
  "vega/build/vega.min.js": "vega.min.js",
  "vega-lite/build/vega-lite.min.js": "vega-lite.min.js",
  "vega-embed/build/vega-embed.min.js": "vega-embed.min.js",
};
mkdirSync(target, { recursive: true });
for (const [from, to] of Object.entries(files)) {
  copyFileSync(join(root, "node_modules", from), join(target, to));
  console.log(`assets: ${from} -> static/vendor/${to}`);
}
