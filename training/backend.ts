/**
 * Picks and initialises the TensorFlow.js backend for training in Deno:
 * WebGPU on a real GPU adapter, else WASM (with our training kernels), else CPU.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { installWasmTrainingKernels } from "./tf_wasm_training_kernels.ts";

/** Backends the trainer can use; "auto" picks the fastest that works here. */
export type BackendChoice = "auto" | "webgpu" | "wasm" | "cpu";

/** Software WebGPU adapters are slower than wasm for this workload (≈ 20–40 samples/s measured). */
function isSoftwareAdapter(
  info: { description?: string; device?: string; vendor?: string } | undefined,
  fallback: boolean,
) {
  const text = `${info?.description ?? ""} ${info?.device ?? ""} ${info?.vendor ?? ""}`
    .toLowerCase();
  return fallback || /llvmpipe|lavapipe|swiftshader|software|warp/.test(text);
}

async function hardwareGpuAvailable(): Promise<boolean> {
  // deno-lint-ignore no-explicit-any
  const gpu = (navigator as any).gpu;
  if (!gpu) return false;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return false;
    return !isSoftwareAdapter(
      adapter.info,
      Boolean(adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter),
    );
  } catch {
    return false;
  }
}

async function tryWebgpu(): Promise<boolean> {
  try {
    // Loaded lazily: only GPU machines need it.
    await import("@tensorflow/tfjs-backend-webgpu");
    return await tf.setBackend("webgpu");
  } catch (e) {
    console.warn(`webgpu backend unavailable: ${(e as Error).message}`);
    return false;
  }
}

/** Sets the backend and returns its name; throws if an explicitly requested one cannot start. */
export async function initBackend(choice: BackendChoice): Promise<string> {
  tf.enableProdMode();
  if (choice === "webgpu" || (choice === "auto" && await hardwareGpuAvailable())) {
    if (await tryWebgpu()) return "webgpu";
    if (choice === "webgpu") {
      throw new Error("--backend webgpu requested but WebGPU could not start");
    }
  }
  if (choice === "wasm" || choice === "auto") {
    installWasmTrainingKernels();
    try {
      if (await tf.setBackend("wasm")) return "wasm";
    } catch (e) {
      if (choice === "wasm") throw e;
    }
    if (choice === "wasm") throw new Error("--backend wasm requested but it could not start");
    console.warn("wasm backend unavailable; training on cpu (much slower)");
  }
  await tf.setBackend("cpu");
  return "cpu";
}
