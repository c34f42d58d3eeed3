// Example proctor verifier in JavaScript: exact-match / numeric-answer checker.
// Build: `cd plugins/examples/js && npm install && npm run build` -> exact_js.wasm
// Check: `proctor plugin check plugins/examples/js/exact_js.wasm`

function extractAnswer(response) {
  let text = response;
  const hashes = text.lastIndexOf("####");
  if (hashes >= 0) {
    text = text.slice(hashes + 4);
  } else {
    const marker = text.toLowerCase().lastIndexOf("answer:");
    if (marker >= 0) text = text.slice(marker + "answer:".length);
  }
  return text.trim().replace(/\.$/, "").trim();
}

function parseNumber(text) {
  const cleaned = text.replace(/,/g, "").replace(/^\$/, "").replace(/%$/, "");
  let value = Number(cleaned);
  if (cleaned === "" || Number.isNaN(value)) {
    const numbers = text.match(/-?\d[\d,]*\.?\d*/g);
    if (!numbers) return null;
    value = Number(numbers[numbers.length - 1].replace(/,/g, ""));
  }
  return Number.isFinite(value) ? value : null;
}

const verdict = (score, status, detail) => ({ score, status, detail });

export function info() {
  return { name: "exact-js", version: "0.1.0", kinds: ["exact", "numeric"] };
}

export function verify(task, response) {
  const reference = (task.reference ?? "").trim();
  if (!reference) return verdict(0, "invalid-task", "task has no reference answer");
  const answer = extractAnswer(response);
  if (!answer) return verdict(0, "unparsable", "no answer found");
  const expected = parseNumber(reference);
  if (expected !== null) {
    const found = parseNumber(answer);
    if (found === null) return verdict(0, "unparsable", "expected a number");
    return Math.abs(found - expected) <= 1e-9 * Math.max(1, Math.abs(expected))
      ? verdict(1, "correct", `${found} = ${expected}`)
      : verdict(0, "incorrect", `${found} != ${expected}`);
  }
  const normalise = (text) => text.toLowerCase().split(/\s+/).filter(Boolean).join(" ");
  return normalise(answer) === normalise(reference)
    ? verdict(1, "correct", "answer matches the reference")
    : verdict(0, "incorrect", "answer does not match the reference");
}
