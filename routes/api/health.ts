/** `GET /api/health`: readiness and the model version (see lib/server/predict_api.ts). */
import type { Handlers } from "@/framework/mod.ts";
import { createHealthHandler, sharedApiDeps } from "@/lib/server/predict_api.ts";

const health = createHealthHandler(sharedApiDeps());

export const handler: Handlers = {
  GET: (ctx) => health(ctx.req),
};
