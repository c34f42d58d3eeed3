// Runs a wasm32-wasip1 build of the corpus_verdicts example under Node's WASI (one core).
// Usage: node plugins/math/bench/run_wasi.mjs path/to/corpus_verdicts.wasm [--verdicts] [--repeat N]
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv } from 'node:process';

const [, , wasmPath, ...rest] = argv;
const wasi = new WASI({ version: 'preview1', args: ['corpus_verdicts', ...rest], env: {} });
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
wasi.start(instance);
