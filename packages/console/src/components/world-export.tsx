// Export: the whole world (accounts, apps, items, chats, messages, media, the clock) as one JSON
// fixture file, downloaded; with media bytes or, for a smaller file, naming the blobs only.
import { useState } from "preact/hooks";
import { download as downloadDocument } from "../api.ts";
import { formatBytes } from "../format.ts";
import { useAction } from "../use-action.ts";
import { ErrorNote } from "./form-field.tsx";

function fileName(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().slice(0, 16).replace(/[:T]/g, "-");
  return `beseda-world-${stamp}.json`;
}

export function WorldExport() {
  const [media, setMedia] = useState(true);
  const [saved, setSaved] = useState<string | null>(null);
  const download = useAction(async () => {
    // Saved as the server wrote it: never parsed here, whatever its size.
    const blob = await downloadDocument(`/sandbox/v1/export?media=${media}`);
    const name = fileName(Date.now());
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.click();
    // The download has its own copy once started; the URL can go after this turn.
    setTimeout(() => URL.revokeObjectURL(url), 0);
    setSaved(`${name} (${formatBytes(blob.size)})`);
  });
  return (
    <div class="world-block">
      <h3 class="section-title">Export</h3>
      <p class="no-margin muted small-text">
        The whole world as one fixture file, to import here or into another Beseda, or to start{" "}
        <code>beseda serve --fixture</code> from.
      </p>
      <label class="check">
        <input
          type="checkbox"
          checked={media}
          onChange={(event) => setMedia(event.currentTarget.checked)}
        />
        Include media bytes (images, voices)
      </label>
      <div class="row">
        <button type="button" disabled={download.busy} onClick={() => void download.run()}>
          {download.busy ? "Exporting…" : "Download world"}
        </button>
        <span role="status" class="muted small-text">
          {saved ? `Saved ${saved}` : ""}
        </span>
      </div>
      <ErrorNote error={download.error} />
    </div>
  );
}
