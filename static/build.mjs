// Builds static/dist: compiles our Sass over GOV.UK Frontend and copies its script and images.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const dist = join(here, "dist");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "js"), { recursive: true });

const css = sass.compile(join(here, "src", "cwtch.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions"],
});
writeFileSync(join(dist, "cwtch.css"), css.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(dist, "js", "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(dist, "assets", "images"), { recursive: true });
cpSync(join(govuk, "assets", "manifest.json"), join(dist, "assets", "manifest.json"));
console.log("Built static/dist");
