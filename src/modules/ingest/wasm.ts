import fs from 'node:fs';

/*
 * The WebAssembly modules of ingest (built from wasm/ by `npm run build:wasm`), compiled once per process and
 * instantiated per use: every instance has its own memory, so concurrent loads never share buffers.
 */

// The WebAssembly API as far as it is used here (the ES lib the server compiles against does not declare it).
interface WasmModule {
  readonly kind: 'wasm-module';
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
}
const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const PAGE = 64 * 1024;
const compiled = new Map<string, WasmModule>();

/** A new instance of src/modules/ingest/<name>.wasm with at least `bytes` of memory past its heapBase(). */
export function instantiate<T extends { memory: WasmMemory; heapBase(): number }>(name: string, bytes: number): T {
  let module = compiled.get(name);
  if (!module) {
    module = new WASM.Module(fs.readFileSync(new URL(`./${name}.wasm`, import.meta.url)));
    compiled.set(name, module);
  }
  const exports = new WASM.Instance(module, { env: { abort: () => undefined } }).exports as T;
  const need = exports.heapBase() + bytes;
  const have = exports.memory.buffer.byteLength;
  if (need > have) exports.memory.grow(Math.ceil((need - have) / PAGE));
  return exports;
}
