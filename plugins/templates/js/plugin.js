// {{name}}: a proctor verifier plugin in JavaScript (WIT world `verifier` of proctor:verifier@0.1.0).
// Build: `proctor plugin build .` (needs node and npm); check: `proctor plugin check {{name}}.wasm`.

const verdict = (score, status, detail) => ({ score, status, detail });

export function info() {
  return { name: "{{name}}", version: "0.1.0", kinds: ["exact"] };
}

// Exact match of the trimmed response against the reference; replace with your check.
export function verify(task, response) {
  if (task.reference === undefined || task.reference === null) {
    return verdict(0, "invalid-task", "task has no reference answer");
  }
  if (response.trim() === "") return verdict(0, "unparsable", "empty response");
  return response.trim() === task.reference.trim()
    ? verdict(1, "correct", "matches the reference")
    : verdict(0, "incorrect", "does not match the reference");
}
