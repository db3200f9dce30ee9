/** A line drawing on a 24-unit grid, stroked in the current colour:
 *  decoration, hidden from assistive technology (the text beside it says
 *  what it shows). The app's icons are lists of paths drawn with this. */
export function LineIcon({ paths, size = 24, stroke = 1.8 }: { paths: readonly string[]; size?: number; stroke?: number }) {
  return (
    <svg viewBox="0 0 24 24" width={size} height={size} fill="none" stroke="currentColor" strokeWidth={stroke}
      strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {paths.map((d) => <path key={d} d={d} />)}
    </svg>
  );
}
