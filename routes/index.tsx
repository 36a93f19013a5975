/** The home page: what the app does and the recognizer itself. */
export default function Home() {
  return (
    <>
      <section class="hero">
        <h1>Handwritten Digit Recognizer</h1>
        <p class="lead">
          Point your camera at handwritten digits, upload a photo or draw with your finger: the
          digits are read on your device, in milliseconds, even without a connection.
        </p>
      </section>
      <section id="recognizer" class="card recognizer" aria-label="Recognizer">
        <ol class="sources">
          <li>
            <strong>Camera</strong> — photograph a meter reading, a score or a form.
          </li>
          <li>
            <strong>Upload</strong> — pick, drop or paste one or more images.
          </li>
          <li>
            <strong>Draw</strong> — write a digit with your finger, pen or mouse.
          </li>
        </ol>
      </section>
    </>
  );
}
