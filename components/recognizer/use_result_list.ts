/**
 * The recognizer's results list: one item per image, in the order the user
 * gave them, each waiting, done or refused. Preview object URLs are revoked
 * when their item leaves the list.
 */
import { useRef, useState } from "preact/hooks";
import type { RecognitionSource } from "../../lib/browser/history_store.ts";
import type { ResultItem } from "./types.ts";

/** The list and what changes it. */
export interface ResultList {
  items: ResultItem[];
  /** Adds a waiting item at the end; returns its key. */
  add(name: string, source: RecognitionSource): number;
  /** Changes one item. */
  patch(key: number, change: Partial<ResultItem>): void;
  /** Empties the list. */
  clear(): void;
}

/** State of the results list. */
export function useResultList(): ResultList {
  const [items, setItems] = useState<ResultItem[]>([]);
  const nextKey = useRef(1);
  return {
    items,
    add(name, source) {
      const key = nextKey.current++;
      setItems((list) => [...list, { key, name, source, status: "working" }]);
      return key;
    },
    patch(key, change) {
      setItems((list) => list.map((it) => (it.key === key ? { ...it, ...change } : it)));
    },
    clear() {
      setItems((list) => {
        for (const it of list) if (it.previewUrl) URL.revokeObjectURL(it.previewUrl);
        return [];
      });
    },
  };
}
