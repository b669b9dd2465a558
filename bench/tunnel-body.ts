/** Byte i of every body the tunnel origin sends: clients check what they
 * got against it (a lost or reordered record shows as a mismatch). */
export function bodyByte(i: number): number {
  return (i * 31 + 7) & 0xff;
}
