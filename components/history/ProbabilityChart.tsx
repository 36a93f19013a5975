import { percent } from "../../lib/core/format.ts";

/** Props of {@link ProbabilityChart}. */
export interface ProbabilityChartProps {
  /** The ten probabilities of one digit. */
  probabilities: number[];
  /** Which digit this is, for the accessible name ("Digit 1 of 3"). */
  caption: string;
}

/** The model's ten probabilities for one digit as a small bar chart, the winner highlighted. */
export function ProbabilityChart({ probabilities, caption }: ProbabilityChartProps) {
  const best = probabilities.indexOf(Math.max(...probabilities));
  return (
    <figure class="prob-chart">
      <figcaption>{caption}</figcaption>
      <ol class="prob-bars">
        {probabilities.map((p, digit) => (
          <li
            class={digit === best ? "prob-bar prob-best" : "prob-bar"}
            title={`${digit}: ${percent(p)}`}
          >
            <span class="prob-fill" style={{ height: `${Math.max(2, p * 100)}%` }} />
            <span class="prob-digit">{digit}</span>
            <span class="visually-hidden">{percent(p)}</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}
