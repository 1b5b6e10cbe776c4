// Trunk post-build hook: gives the built page a strict Content-Security-Policy.
//
// Scripts run only from the page's own origin, plus the inline module loader Trunk writes
// (allowed by its SHA-256, computed here because it names hashed file names); WebAssembly may be
// compiled ('wasm-unsafe-eval') but JavaScript eval may not. Record keys and values, topic names
// and scenario texts are rendered as text by Yew, and this policy is the second line of defence.
// Styles allow inline attributes: the stage positions its shapes with `style`.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run by trunk as a post_build hook)');
  process.exit(1);
}
const file = join(dir, 'index.html');
let html = readFileSync(file, 'utf8');

const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}

const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/g, '');
if (!/<meta charset="utf-8" \/>/.test(html)) {
  console.error('csp.mjs: index.html has no <meta charset="utf-8" /> to put the policy after');
  process.exit(1);
}
html = html.replace(/<meta charset="utf-8" \/>/, `<meta charset="utf-8" />\n    ${meta}`);
writeFileSync(file, html);
console.log(`csp.mjs: Content-Security-Policy with ${hashes.length} inline script hash(es)`);
