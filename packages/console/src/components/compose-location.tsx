// The location form under compose: coordinates and an optional title, as a `location` message
// carries them. Escape closes it; the API checks the ranges and names a bad field.
import { useState } from "preact/hooks";

export interface LocationInput {
  lat: number;
  lon: number;
  title?: string;
}

export function ComposeLocation({
  busy,
  onSend,
  onCancel,
}: {
  busy: boolean;
  onSend: (location: LocationInput) => Promise<void>;
  onCancel: () => void;
}) {
  const [lat, setLat] = useState("");
  const [lon, setLon] = useState("");
  const [title, setTitle] = useState("");

  const submit = () => {
    const location: LocationInput = { lat: Number(lat), lon: Number(lon) };
    if (title.trim()) location.title = title.trim();
    void onSend(location);
  };

  // A nested <form> is not allowed inside compose's: this is a group that submits on Enter.
  return (
    <fieldset
      class="compose-location"
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          onCancel();
        } else if (event.key === "Enter" && (event.target as HTMLElement).tagName === "INPUT") {
          event.preventDefault();
          submit();
        }
      }}
    >
      <legend>Location</legend>
      <label>
        Latitude
        <input
          type="number"
          inputMode="decimal"
          step="any"
          min={-90}
          max={90}
          required
          value={lat}
          onInput={(event) => setLat(event.currentTarget.value)}
        />
      </label>
      <label>
        Longitude
        <input
          type="number"
          inputMode="decimal"
          step="any"
          min={-180}
          max={180}
          required
          value={lon}
          onInput={(event) => setLon(event.currentTarget.value)}
        />
      </label>
      <label class="wide">
        Title (optional)
        <input
          type="text"
          maxLength={1000}
          value={title}
          onInput={(event) => setTitle(event.currentTarget.value)}
        />
      </label>
      <span class="row">
        <button
          type="button"
          class="primary"
          disabled={busy || lat.trim() === "" || lon.trim() === ""}
          onClick={submit}
        >
          Send location
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </span>
    </fieldset>
  );
}
