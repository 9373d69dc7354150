/** Text checks shared by both ticket classes. */

/**
 * Whether `text` has no lone surrogate, i.e. has a UTF-8 form (`String.prototype.isWellFormed`,
 * native since Node 20; the lib target predates its typing).
 */
export function wellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
