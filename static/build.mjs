// Builds static/dist: compiles our Sass over GOV.UK Frontend, copies its script and images, and
// ships the font every PDF is printed in (static/dist/fonts), so each machine prints the same.
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
// Print fonts: Noto Sans in the Latin and Latin Extended subsets, which between them hold every
// Welsh letter (â ê î ô û ŵ ŷ and their capitals). WOFF, not WOFF2: WeasyPrint reads WOFF with
// fontTools alone, where WOFF2 would need Brotli. Each subset is its own family ("Cwtch Print",
// then "Cwtch Print Extended" for the letters the first lacks): WeasyPrint names an embedded font
// by its family, style and weight, so two subsets in one family would be merged into one PDF font
// and print the wrong letters. The PDFs load print.css through the fetcher in supervision/pdf.py.
const noto = join(root, "node_modules", "@fontsource", "noto-sans");
const fonts = join(dist, "fonts");
mkdirSync(fonts, { recursive: true });
const faces = [];
for (const [subset, family] of [["latin", "Cwtch Print"], ["latin-ext", "Cwtch Print Extended"]]) {
  for (const weight of [400, 700]) {
    for (const style of ["normal", "italic"]) {
      const file = `noto-sans-${subset}-${weight}-${style}.woff`;
      cpSync(join(noto, "files", file), join(fonts, file));
      faces.push(
        `@font-face { font-family: "${family}"; font-style: ${style}; font-weight: ${weight}; ` +
          `src: url("${file}") format("woff"); }`,
      );
    }
  }
}
cpSync(join(noto, "LICENSE"), join(fonts, "LICENSE-noto-sans.txt"));
writeFileSync(join(fonts, "print.css"), faces.join("\n") + "\n");
console.log("Built static/dist");
