/**
 * The recognition worker (a module Worker): decoding, preprocessing and the
 * model run here, so the page's main thread only draws. Messages are
 * `{ id, request }` (see recognition_service.ts); answers are
 * `{ id, value }` or `{ id, error: { name, message } }`, and every engine
 * state change is posted as `{ state }`.
 */
import { handleRequest, type RecognitionRequest, transferablesOf } from "./recognition_service.ts";
import type { EngineState } from "./engine.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent<{ id: number; request: RecognitionRequest }>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

const postState = (state: EngineState) => scope.postMessage({ state });

scope.onmessage = async ({ data: { id, request } }) => {
  try {
    const value = await handleRequest(request, postState);
    scope.postMessage({ id, value }, transferablesOf(value));
  } catch (e) {
    const { name, message } = e instanceof Error ? e : new Error(String(e));
    scope.postMessage({ id, error: { name, message } });
  }
};
