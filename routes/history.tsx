import History from "../islands/History.tsx";

/** The history of recognitions (stored in the browser; the page itself is the same for everyone). */
export default function HistoryPage() {
  return <History />;
}
