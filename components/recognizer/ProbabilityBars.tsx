/** The ten class probabilities of one digit as labelled bars, the winner highlighted. */
export function ProbabilityBars(
  { probabilities, caption }: { probabilities: number[]; caption: string },
) {
  let best = 0;
  probabilities.forEach((p, k) => {
    if (p > probabilities[best]) best = k;
  });
  return (
    <figure class="rz-bars">
      <figcaption>{caption}</figcaption>
      <ol>
        {probabilities.map((p, k) => {
          const pct = Math.round(p * 1000) / 10;
          return (
            <li key={k} class={k === best ? "rz-bar rz-bar-top" : "rz-bar"}>
              <span class="rz-bar-label">{k}</span>
              <span class="rz-bar-track" aria-hidden="true">
                <span class="rz-bar-fill" style={{ width: `${Math.max(pct, 0.5)}%` }} />
              </span>
              <span class="rz-bar-value">{pct < 0.1 ? "<0.1" : pct.toFixed(1)}%</span>
            </li>
          );
        })}
      </ol>
    </figure>
  );
}
