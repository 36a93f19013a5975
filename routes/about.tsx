/** About: how recognition works and what happens to your images. */
export default function About() {
  return (
    <article class="card prose">
      <h1>About</h1>
      <p>
        Handwritten Digit Recognizer reads digits from photos, uploaded images and drawings. A small
        convolutional network trained on MNIST runs in your browser with TensorFlow.js, on the GPU
        where your device has one, so your images never leave your device.
      </p>
      <h2>Privacy</h2>
      <p>
        Images are processed locally. Your history of predictions is stored in this browser only,
        and you can export or delete it at any time.
      </p>
    </article>
  );
}
