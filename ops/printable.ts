/**
 * Text that comes from outside (stack outputs, Entra ID or Creatio answers) is shown only through
 * `printable`: control and format characters and line and paragraph separators (Unicode Cc, Cf, Zl, Zp:
 * newlines, ANSI escapes, bidirectional overrides, zero-width characters, U+2028, U+2029) become U+FFFD, so such text can neither forge a line (a
 * GitHub Actions `::` workflow command, a fake "accepted") nor hide itself on a terminal.
 */
export function printable(text: string): string {
    return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "\uFFFD");
}
