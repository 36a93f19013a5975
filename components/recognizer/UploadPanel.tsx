import { ImageIcon } from "./icons.tsx";

/**
 * Choosing images: a large drop zone that is also the label of a multi-file
 * picker. Drops anywhere on the page and pastes are handled by the island;
 * `dragging` highlights the zone while files hover over the page.
 */
export function UploadPanel(
  { onFiles, dragging }: { onFiles: (files: File[]) => void; dragging: boolean },
) {
  return (
    <div class="rz-upload">
      <label class={dragging ? "rz-dropzone rz-dropzone-active" : "rz-dropzone"}>
        <input
          type="file"
          accept="image/*"
          multiple
          class="rz-visually-hidden"
          data-testid="file-input"
          onChange={(e) => {
            const input = e.currentTarget as HTMLInputElement;
            const files = Array.from(input.files ?? []);
            input.value = ""; // The same file may be chosen again.
            if (files.length) onFiles(files);
          }}
        />
        <span class="rz-dropzone-icon" aria-hidden="true">
          <ImageIcon />
        </span>
        <span class="rz-dropzone-title">
          <span class="rz-link">Choose images</span> or drop them here
        </span>
        <span class="rz-dropzone-hint">
          Several at once · paste with Ctrl+V / ⌘V · PNG, JPEG, WebP, GIF, BMP
        </span>
      </label>
    </div>
  );
}
