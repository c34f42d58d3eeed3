// Loads the wasm_digest example module and compares its task digests with the pinned native
// table in tests/families.rs, then times generation and verification per family in WASM.
// Usage: node plugins/logic/examples/wasm_digest.mjs /work/target-logic
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const targetDir = process.argv[2] ?? "target";
const bytes = readFileSync(join(targetDir, "wasm32-unknown-unknown/release/examples/wasm_digest.wasm"));
const { instance } = await WebAssembly.instantiate(bytes, {});
const wasm = instance.exports;

const source = readFileSync(join(here, "../tests/families.rs"), "utf8");
const pinned = [...source.matchAll(/\("([a-z_0-9]+)", 0x([0-9a-f]{16})\)/g)].map((m) => [m[1], BigInt("0x" + m[2])]);
const count = wasm.kinds_count();
if (pinned.length !== count) throw new Error(`pinned table has ${pinned.length} kinds, module has ${count}`);

let mismatches = 0;
console.log("kind                   digest   gen/s    verify/s");
for (let idx = 0; idx < count; idx++) {
  const [kind, want] = pinned[idx];
  const got = BigInt.asUintN(64, wasm.digest(idx, 0n, 3));
  if (got !== want) mismatches++;
  let start = performance.now();
  const generated = wasm.generate_many(idx, 20, 3);
  const genRate = (generated / (performance.now() - start)) * 1000;
  start = performance.now();
  const total = wasm.verify_many(idx, 200, 3);
  const verifyRate = (200 / (performance.now() - start)) * 1000;
  if (total !== 200) throw new Error(`${kind}: references scored ${total}/200 in wasm`);
  console.log(`${kind.padEnd(22)} ${got === want ? "same" : "DIFF"}   ${genRate.toFixed(0).padStart(7)} ${verifyRate.toFixed(0).padStart(9)}`);
}
if (mismatches > 0) throw new Error(`${mismatches} families generate different bytes in wasm`);
console.log("all families generate identical task bytes in wasm and native");
