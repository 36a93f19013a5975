/** `POST /api/predict`: digits in one or more uploaded images (see lib/server/predict_api.ts). */
import type { Handlers } from "@/framework/mod.ts";
import { createPredictHandler, sharedApiDeps } from "@/lib/server/predict_api.ts";

const predict = createPredictHandler(sharedApiDeps());

export const handler: Handlers = {
  POST: (ctx) => predict(ctx.req),
};
