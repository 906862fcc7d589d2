// Loads something from the API and keeps it, with a reload for when a live event says it changed.
// A reload keeps showing the last data until the new answer comes (no flicker); the newest call
// wins when answers come back out of order.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";

/** Whether an answer is still wanted when it comes. */
export type StillWanted = () => boolean;

export interface NewestCall {
  /** A new call that outdates every earlier one. */
  start: () => StillWanted;
  /** A call that rides along with the newest: outdated, too, when another one starts. */
  join: () => StillWanted;
}

/**
 * Numbers a component's calls of one kind, so that an answer to an older question (other
 * filters, an earlier refresh) that comes back last does not overwrite the newer one's.
 */
export function useNewestCall(): NewestCall {
  const generation = useRef(0);
  return useMemo(() => {
    const check = (mine: number) => () => mine === generation.current;
    return { start: () => check(++generation.current), join: () => check(generation.current) };
  }, []);
}

export interface Resource<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

export function useResource<T>(load: () => Promise<T>, keys: readonly unknown[]): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const newest = useNewestCall();
  const latestLoad = useRef(load);
  latestLoad.current = load;

  const reload = useCallback(() => {
    const wanted = newest.start();
    setLoading(true);
    latestLoad.current().then(
      (value) => {
        if (!wanted()) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (reason: unknown) => {
        if (!wanted()) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
        setLoading(false);
      },
    );
  }, [newest]);

  useEffect(() => {
    setData(null);
    reload();
  }, keys);

  return { data, error, loading, reload };
}
