/** About: how recognition works and what happens to your images. */
export default function About() {
  return (
    <article class="card prose">
      <h1>About</h1>
      <p>
        Handwritten Digit Recognizer reads digits from photos, uploaded images and drawings. A small
        convolutional network trained on MNIST runs in your browser with TensorFlow.js, on the GPU
        where your device has one, so the photos you take, upload or draw here are read on your
        device and are not sent anywhere.
      </p>
      <h2>Privacy</h2>
      <p>
        Images are processed locally. One exception: an image shared to the installed app from
        another app goes through this app's server if the app's offline support has not started yet.
        The server holds it in memory, without reading it, only until this page picks it up, once,
        and deletes it then (or after ten minutes if it is never picked up). Your history of
        predictions is stored in this browser only, and you can export or delete it at any time.
      </p>
    </article>
  );
}
