// Imported first by image-worker.ts, before sharp: a nice value is a thread's own on Linux and a
// new thread takes its creator's, so the threads libvips starts from this worker (its pool of
// "libvips worker" threads, process-wide) inherit the lower priority too, and decoding yields the
// cores to the thread that serves requests.
import { setPriority } from "node:os";

/** The nice value of image work: below requests, above nothing else that runs here. */
const BACKGROUND_NICE = 10;

try {
  setPriority(0, BACKGROUND_NICE);
} catch {
  // Not allowed here (a container without the capability): decode at the usual priority.
}
