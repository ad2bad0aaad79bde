import { ValidationError } from '@aid/contracts';

/** A malformed line of an imported file: the import stops and tells the user where and why. */
export class FileFormatError extends ValidationError {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`, [{ field: `line ${line}`, message: reason }]);
  }
}

/**
 * The lines of a file's text, numbered from 1 as an editor shows them. Strips a byte-order mark and
 * CR line ends (the official codifier comes with both) and the empty line after the last newline.
 */
export function numberedLines(text: string): { line: number; text: string }[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((content, index) => ({ line: index + 1, text: content }));
}
