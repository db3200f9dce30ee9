// Shared by the client-conformance tests, which run in Node against a real
// `cortege serve` started by scripts/test:
//   E2E_BASE      the server's URL
//   E2E_MAIL_DIR  where the server writes its mail (.eml)
import assert from 'node:assert/strict';
import { codeFor } from '../e2e/mail.mjs';

export const base = process.env.E2E_BASE;
export const mailDir = process.env.E2E_MAIL_DIR;
assert.ok(base && mailDir, 'E2E_BASE and E2E_MAIL_DIR are required');
export const endpoint = `${base}/graphql`;

/** POSTs one operation as JSON; returns the parsed body. */
export async function gql(query, variables = {}, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return response.json();
}

let counter = 0;
/** A new member, signed up and logged in: { email, token }. */
export async function member(first = 'Camille', last = 'Test') {
  const email = `${first.toLowerCase()}.${Date.now()}.${process.pid}.${counter++}@example.org`;
  const signUp = await gql(
    'mutation($i: SignUpInput!) { signUp(input: $i) { loginCodeSent } }',
    { i: { firstName: first, lastName: last, email, acceptsPledge: true } },
  );
  assert.equal(signUp.data?.signUp?.loginCodeSent, true, JSON.stringify(signUp));
  const code = await codeFor(mailDir, email);
  const login = await gql(
    'mutation($e: String!, $c: String!) { verifyLoginCode(email: $e, code: $c) { token } }',
    { e: email, c: code },
  );
  const token = login.data?.verifyLoginCode?.token;
  assert.ok(token, JSON.stringify(login));
  return { email, token };
}

/** Runs `fn` while recording what it writes to console.warn and console.error. */
export async function capturingWarnings(fn) {
  const warnings = [];
  const { warn, error } = console;
  console.warn = (...args) => warnings.push(args.map(String).join(' '));
  console.error = (...args) => warnings.push(args.map(String).join(' '));
  try {
    return { result: await fn(), warnings };
  } finally {
    console.warn = warn;
    console.error = error;
  }
}
