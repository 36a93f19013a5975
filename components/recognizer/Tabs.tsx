import type { ComponentChildren } from "preact";

/** One tab: its id (used for element ids), its label and an icon. */
export interface TabSpec<Id extends string> {
  id: Id;
  label: string;
  icon: ComponentChildren;
}

/**
 * A WAI-ARIA tab list: one tab in the Tab order, arrow keys / Home / End move
 * between tabs and select them (automatic activation).
 */
export function Tabs<Id extends string>(
  { tabs, selected, onSelect, label }: {
    tabs: TabSpec<Id>[];
    selected: Id;
    onSelect: (id: Id) => void;
    label: string;
  },
) {
  const onKeyDown = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === selected);
    const next = e.key === "ArrowRight"
      ? (i + 1) % tabs.length
      : e.key === "ArrowLeft"
      ? (i - 1 + tabs.length) % tabs.length
      : e.key === "Home"
      ? 0
      : e.key === "End"
      ? tabs.length - 1
      : -1;
    if (next < 0) return;
    e.preventDefault();
    onSelect(tabs[next].id);
    document.getElementById(`rz-tab-${tabs[next].id}`)?.focus();
  };
  return (
    <div class="rz-tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={`rz-tab-${t.id}`}
          class="rz-tab"
          aria-selected={t.id === selected}
          aria-controls={`rz-panel-${t.id}`}
          tabIndex={t.id === selected ? 0 : -1}
          onClick={() => onSelect(t.id)}
        >
          <span class="rz-tab-icon" aria-hidden="true">{t.icon}</span>
          <span>{t.label}</span>
        </button>
      ))}
    </div>
  );
}
