/**
 * Loads one TensorFlow.js backend on demand. Each backend sits behind a
 * dynamic import(), so esbuild puts it in its own chunk and a phone that runs
 * on WASM never downloads the WebGL or WebGPU code.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendName } from "./backend_choice.ts";

interface BackendModule {
  KERNELS: tf.KernelConfig[];
  configure?: (wasmDir: string) => void;
}

const importers: Record<BackendName, () => Promise<BackendModule>> = {
  webgpu: () => import("./backends/webgpu.ts"),
  webgl: () => import("./backends/webgl.ts"),
  wasm: () => import("./backends/wasm.ts"),
  cpu: () => import("./backends/cpu.ts"),
};

const loaded = new Map<BackendName, Promise<void>>();
const dropped = new Set<BackendName>();

/** Downloads a backend's code and registers its kernels (once). */
function loadCode(name: BackendName, wasmDir: string): Promise<void> {
  let p = loaded.get(name);
  if (!p) {
    p = importers[name]().then((mod) => {
      mod.configure?.(wasmDir);
      for (const k of mod.KERNELS) {
        if (!tf.getKernel(k.kernelName, name)) tf.registerKernel(k);
      }
    });
    // A failed download (offline, flaky network) may be retried later.
    p.catch(() => loaded.delete(name));
    loaded.set(name, p);
  }
  return p;
}

/** Starts downloading a backend's code without activating it (a failure is retried later). */
export function prefetchBackend(name: BackendName, wasmDir: string): void {
  loadCode(name, wasmDir).catch(() => {});
}

/**
 * Makes `name` the active backend: loads its code, initialises it (compiles
 * the WASM module, opens the GPU device…) and waits until it is ready.
 * Throws when the backend cannot start here.
 */
export async function activateBackend(name: BackendName, wasmDir = "/wasm/"): Promise<void> {
  if (dropped.has(name)) {
    throw new Error(`${name} stopped working on this page; reload to retry it`);
  }
  await loadCode(name, wasmDir);
  tf.enableProdMode();
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`the ${name} backend could not start on this device`);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`the ${name} backend is not active`);
}

/**
 * Frees a backend that broke (context lost, device gone) and keeps it off for
 * the rest of the page's life: tfjs cannot re-create a removed backend.
 */
export function dropBackend(name: BackendName): void {
  dropped.add(name);
  try {
    if (tf.findBackend(name)) tf.removeBackend(name);
  } catch {
    // Disposing a dead GPU backend may throw; it is unusable either way.
  }
}
