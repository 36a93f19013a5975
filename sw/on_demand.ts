/**
 * Paths the service worker does not precache but fetches on demand and keeps
 * once used (sw/sw.ts): one WASM build per device, the model, the personal
 * model's rehearsal digits. Shared by the worker and the build's precache list.
 */
export const ON_DEMAND = /^\/(wasm|model|personal)\//;
