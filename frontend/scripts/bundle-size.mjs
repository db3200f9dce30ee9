// The first load's JavaScript budget (issue 18): every script index.html
// loads or preloads, gzipped at level 9, at most 150 kB together. Screens
// past the home one are chunks of their own and do not count.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 150_000;
const dist = new URL('../dist/', import.meta.url);
const index = readFileSync(new URL('index.html', dist), 'utf8');
const scripts = [...new Set([...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]))];
if (scripts.length === 0) throw new Error('dist/index.html loads no script: is the client built?');
let total = 0;
for (const script of scripts) {
  const size = gzipSync(readFileSync(new URL(script, dist)), { level: 9 }).length;
  total += size;
  console.log(`${String(size).padStart(8)}  ${script}`);
}
console.log(`${String(total).padStart(8)}  first load, gzip (budget ${BUDGET})`);
if (total > BUDGET) {
  console.error(`the first load is ${total - BUDGET} bytes over its budget: load the new code lazily`);
  process.exit(1);
}
