// Componentize plugin.js against ./wit (world `verifier`) with every WASI feature disabled, so the
// component imports nothing but the proctor types. Run: `npm run build`.
import { componentize } from "@bytecodealliance/componentize-js";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const { component } = await componentize({
  sourcePath: here("./plugin.js"),
  witPath: here("./wit"),
  worldName: "verifier",
  disableFeatures: ["random", "stdio", "clocks", "http", "fetch-event"],
});
await writeFile(here("./{{name}}.wasm"), component);
console.log(`built {{name}}.wasm (${component.length} bytes)`);
