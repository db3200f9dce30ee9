// The login codes the server mails, read from the .eml files it writes
// (shared by the browser run and the client-conformance tests).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const seen = new Set();

/** The login code in the newest unseen mail to `email` under `mailDir`. */
export async function codeFor(mailDir, email, waitMs = 15_000) {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const files = readdirSync(mailDir)
      .filter((f) => f.endsWith('.eml') && !seen.has(f))
      .map((f) => join(mailDir, f))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
    for (const file of files) {
      const raw = readFileSync(file, 'utf8').replace(/=\r?\n/g, '').replace(/\r\n/g, '\n');
      if (!raw.split('\n').some((l) => l.toLowerCase() === `to: ${email}`)) continue;
      seen.add(file.split('/').pop());
      const code = raw.split('\n').map((l) => l.trim()).filter((l) => /^[A-Z0-9]{6,8}$/.test(l)).pop();
      if (code) return code;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no login mail for ${email}`);
}
