// The location form under compose: coordinates and an optional title, as a `location` message
// carries them. Escape closes it; the API checks the ranges and names a bad field. Enter in a
// field sends as the button does, so it checks what the button's being disabled checks: both
// coordinates typed, and no send running (compose's one send at a time refuses a second too).
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
  /** Resolves whether it went out; refused (false) while another send runs. */
  onSend: (location: LocationInput) => Promise<boolean>;
  onCancel: () => void;
}) {
  const [lat, setLat] = useState("");
  const [lon, setLon] = useState("");
  const [title, setTitle] = useState("");

  const ready = !busy && lat.trim() !== "" && lon.trim() !== "";

  const submit = () => {
    // An empty number field reads as 0: without this a bare Enter would send (0, 0).
    if (!ready) return;
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
      <Coordinate label="Latitude" limit={90} value={lat} onInput={setLat} />
      <Coordinate label="Longitude" limit={180} value={lon} onInput={setLon} />
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
        <button type="button" class="primary" disabled={!ready} onClick={submit}>
          Send location
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </span>
    </fieldset>
  );
}

/** A latitude or a longitude: a number from -limit to limit, as typed (checked by the API). */
function Coordinate({
  label,
  limit,
  value,
  onInput,
}: {
  label: string;
  limit: number;
  value: string;
  onInput: (value: string) => void;
}) {
  return (
    <label>
      {label}
      <input
        type="number"
        inputMode="decimal"
        step="any"
        min={-limit}
        max={limit}
        required
        value={value}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </label>
  );
}
