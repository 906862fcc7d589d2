// A person's round initial, coloured by their user_id so the same person keeps one colour
// everywhere (the API's avatars are placeholders; a letter tells people apart better). Colours
// are classes, not style attributes: the console's CSP allows styles from its stylesheet only.
const COLOURS = 7;

/** A colour from all the digits (Beseda's ids share factors, so `id % 7` would repeat). */
function colourOf(userId: number): number {
  let hash = 0;
  for (const digit of String(userId)) hash = (hash * 31 + digit.charCodeAt(0)) % 10_007;
  return hash % COLOURS;
}

export function ChatAvatar({ userId, name }: { userId: number; name: string }) {
  const letter = [...name.trim()][0]?.toUpperCase() ?? "?";
  return (
    <span class={`avatar avatar-${colourOf(userId)}`} aria-hidden="true">
      {letter}
    </span>
  );
}
