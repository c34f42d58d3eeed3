// Componentize exact.js against wit/0.1.0 (world `verifier`) with every WASI feature disabled,
// so the component imports nothing but the proctor types. Run: `npm run build`.
import { componentize } from "@bytecodealliance/componentize-js";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const { component } = await componentize({
  sourcePath: here("./exact.js"),
  witPath: here("../../../wit/0.1.0"),
  worldName: "verifier",
  disableFeatures: ["random", "stdio", "clocks", "http", "fetch-event"],
});
await writeFile(here("./exact_js.wasm"), component);
console.log(`built exact_js.wasm (${component.length} bytes)`);
