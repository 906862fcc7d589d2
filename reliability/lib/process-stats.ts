// What /proc tells about the server's process beyond bench/lib/server-process.ts: its open file
// handles, and resetting its peak RSS (VmHWM) so that the peak of one upload can be read alone.
// Linux only; resetting needs to own the process or be root.
import { readdirSync, writeFileSync } from "node:fs";

/** Open file descriptors of the process (sockets, the store's files, pipes). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Sets VmHWM back to the current RSS (`5` in clear_refs, since Linux 4.0). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}
