/** Shown when a handler fails, with status 500; the details stay in the server log. */
export default function ServerError() {
  return (
    <article class="card prose">
      <h1>Something went wrong</h1>
      <p>
        The server could not answer this request. Please try again; recognition in the app keeps
        working on your device. <a href="/">Back to the recognizer</a>.
      </p>
    </article>
  );
}
