// Build Candour's front-end assets from npm packages into Django's static folder.
// No CDN: the NHS.UK stylesheet's @font-face rules point at assets.nhs.uk (Frutiger is licensed
// to NHS websites only), so they are removed and the design system's own fallback (Arial) is
// used; asset URLs are rewritten to be relative to the stylesheet. Source-map comments are removed
// (the maps are not shipped, and Django's manifest storage refuses references to missing files).
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "node_modules", "nhsuk-frontend", "dist", "nhsuk");
const out = join(root, "src", "candour", "web", "static", "nhsuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const withoutSourceMap = (text) => text.replace(/\n?\/[*/]# sourceMappingURL=[^\n]*/g, "");
const css = withoutSourceMap(readFileSync(join(dist, "nhsuk-frontend.min.css"), "utf8"))
  .replace(/@font-face\{[^}]*\}/g, "")
  .replace(/url\(\/assets\//g, "url(assets/");
if (/https?:\/\//.test(css.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, ""))) {
  throw new Error("nhsuk-frontend.min.css still refers to a remote URL after rewriting");
}
writeFileSync(join(out, "nhsuk-frontend.min.css"), css);
writeFileSync(
  join(out, "nhsuk-frontend.min.js"),
  withoutSourceMap(readFileSync(join(dist, "nhsuk-frontend.min.js"), "utf8")),
);
cpSync(join(dist, "assets"), join(out, "assets"), { recursive: true });
console.log(`nhsuk-frontend built into ${out}`);
