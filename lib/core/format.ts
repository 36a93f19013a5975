/** Numbers written for people, the same on the page, in the history and in API messages. */

/** 0.9731 → "97%". */
export function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

/** A byte count in binary units: 512 → "512 bytes", 1536 → "1.5 KB", 10485760 → "10 MB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}
