import type { PageProps } from "@/framework/mod.ts";
import Recognizer from "../islands/Recognizer.tsx";

/** The home page: what the app does and the recognizer itself (`?mode=camera|upload|draw`). */
export default function Home({ url }: PageProps) {
  return (
    <>
      <section class="hero">
        <h1>Handwritten Digit Recognizer</h1>
        <p class="lead">
          Point your camera at handwritten digits, upload a photo or draw with your finger: the
          digits are read on your device, in milliseconds, even without a connection.
        </p>
      </section>
      <Recognizer
        modelUrl="/model/model.json"
        wasmDir="/wasm/"
        mode={url.searchParams.get("mode")}
      />
    </>
  );
}
