/** Shown for any path that matches no route, with status 404. */
export default function NotFound() {
  return (
    <article class="card prose">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <a href="/">Go to the recognizer</a>.
      </p>
    </article>
  );
}
