/** A hook that shows a Blob through an object URL, revoked when it is no longer shown. */
import { useEffect, useState } from "preact/hooks";

/** The object URL of `blob` (undefined until made, or without a blob). */
export function useObjectUrl(blob: Blob | undefined | null): string | undefined {
  const [url, setUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!blob) return setUrl(undefined);
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [blob]);
  return url;
}
