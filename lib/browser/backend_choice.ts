/**
 * Which TensorFlow.js backend is fastest on this device. A GPU backend wins on
 * a real GPU, but on a software rasteriser (SwiftShader, llvmpipe, a WebGPU
 * fallback adapter) WASM is 20-150× faster than WebGL/WebGPU, so the GPU is
 * probed first, without downloading any backend code.
 */

/** The backends the recognizer can run on, fastest first when all are usable. */
export const BACKENDS = ["webgpu", "webgl", "wasm", "cpu"] as const;

/** A TensorFlow.js backend name. */
export type BackendName = typeof BACKENDS[number];

/** How a GPU API looks on this device. */
export type GpuKind = "hardware" | "software" | "none";

/** What the probe found out about the device's GPU APIs. */
export interface DeviceProbe {
  webgpu: GpuKind;
  webgl: GpuKind;
  /** The WebGPU adapter or WebGL renderer description, for the settings panel. */
  gpuName?: string;
  /** WebAssembly is there (every current browser; not some locked-down ones). */
  wasm: boolean;
}

/** Human-readable names, for the settings select and the status line. */
export const BACKEND_LABELS: Record<BackendName, string> = {
  webgpu: "WebGPU",
  webgl: "WebGL",
  wasm: "WebAssembly",
  cpu: "JavaScript (CPU)",
};

const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|mesa offscreen/i;

/** True when a renderer/adapter description names a software rasteriser. */
export function isSoftwareRenderer(description: string | undefined): boolean {
  return !!description && SOFTWARE_GPU.test(description);
}

/**
 * The order in which to try backends on this device: GPU backends only where
 * the GPU is real, then WASM, then CPU (always works, slowest).
 */
export function rankBackends(probe: DeviceProbe): BackendName[] {
  const order: BackendName[] = [];
  if (probe.webgpu === "hardware") order.push("webgpu");
  if (probe.webgl === "hardware") order.push("webgl");
  if (probe.wasm) order.push("wasm");
  order.push("cpu");
  return order;
}

/**
 * The chain to use: a user's choice first (if this device has it at all),
 * then the automatic ranking as fallbacks.
 */
export function backendChain(probe: DeviceProbe, preferred?: BackendName | null): BackendName[] {
  const ranked = rankBackends(probe);
  if (!preferred || !isAvailable(probe, preferred)) return ranked;
  return [preferred, ...ranked.filter((b) => b !== preferred)];
}

/** Whether the device exposes the API a backend needs (software GPUs count: the user may insist). */
export function isAvailable(probe: DeviceProbe, backend: BackendName): boolean {
  switch (backend) {
    case "webgpu":
      return probe.webgpu !== "none";
    case "webgl":
      return probe.webgl !== "none";
    case "wasm":
      return probe.wasm;
    case "cpu":
      return true;
  }
}

/** Why the automatic choice is what it is, in a few words for the settings panel. */
export function explainChoice(probe: DeviceProbe, chosen: BackendName): string {
  if (chosen === "webgpu" || chosen === "webgl") return "a hardware GPU is available";
  if (probe.webgpu === "software" || probe.webgl === "software") {
    return "the GPU is software-rendered, where WebAssembly is far faster";
  }
  if (chosen === "wasm") return "no usable GPU";
  return "WebAssembly is not available";
}

/** Parses a backend name from a URL parameter or storage; null when it is none of ours. */
export function parseBackend(value: string | null | undefined): BackendName | null {
  return (BACKENDS as readonly string[]).includes(value ?? "") ? value as BackendName : null;
}

// deno-lint-ignore no-explicit-any
type Any = any;

async function probeWebGpu(): Promise<{ kind: GpuKind; name?: string }> {
  const gpu = (navigator as Any).gpu;
  if (!gpu?.requestAdapter) return { kind: "none" };
  try {
    const adapter = await Promise.race([
      gpu.requestAdapter({ powerPreference: "high-performance" }),
      new Promise((r) => setTimeout(() => r(null), 1500)),
    ]) as Any;
    if (!adapter) return { kind: "none" };
    // `info` is a property in current browsers; older Chromium had requestAdapterInfo().
    const info = adapter.info ?? await adapter.requestAdapterInfo?.().catch(() => undefined) ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(" ");
    const fallback = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true;
    return {
      kind: fallback || isSoftwareRenderer(name) ? "software" : "hardware",
      name: name || undefined,
    };
  } catch {
    return { kind: "none" };
  }
}

/** A canvas to probe WebGL with: an OffscreenCanvas in a worker. */
function probeCanvas(): HTMLCanvasElement | OffscreenCanvas {
  if (typeof document !== "undefined") return document.createElement("canvas");
  return new OffscreenCanvas(1, 1);
}

function probeWebGl(): { kind: GpuKind; name?: string } {
  try {
    const canvas = probeCanvas();
    const gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as
      | WebGLRenderingContext
      | null;
    if (!gl) return { kind: "none" };
    const ext = gl.getExtension("WEBGL_debug_renderer_info");
    const name = String(
      gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? "",
    );
    // Chromium refuses a context with this flag when it would be software-rendered.
    const strict = probeCanvas().getContext("webgl", {
      failIfMajorPerformanceCaveat: true,
    }) as WebGLRenderingContext | null;
    strict?.getExtension("WEBGL_lose_context")?.loseContext();
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    const software = isSoftwareRenderer(name) || !strict;
    return { kind: software ? "software" : "hardware", name: name || undefined };
  } catch {
    return { kind: "none" };
  }
}

/** Probes WebGPU, WebGL and WebAssembly (page or worker; takes a few milliseconds). */
export async function probeDevice(): Promise<DeviceProbe> {
  const [webgpu, webgl] = [await probeWebGpu(), probeWebGl()];
  return {
    webgpu: webgpu.kind,
    webgl: webgl.kind,
    gpuName: webgpu.kind === "hardware" ? webgpu.name : webgl.name ?? webgpu.name,
    wasm: typeof WebAssembly === "object" && typeof WebAssembly.instantiate === "function",
  };
}
