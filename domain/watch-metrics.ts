/**
 * The custom CloudWatch metrics a watch records when it ends, in both modes, and that the stack's dashboard reads.
 * Every metric carries the `Notifier` dimension (the stack's name), so two notifiers in one account keep apart.
 * CloudWatch bills each distinct name and dimension set as one custom metric, so the dimensions stay few.
 */
export const WATCH_METRICS = {
  namespace: 'CloudFrontChangeNotifier',
  dimensions: { notifier: 'Notifier', kind: 'Kind', outcome: 'Outcome' },
  /** 1 per finished watch; dimensions Notifier, Outcome. */
  watchesFinished: 'WatchesFinished',
  /** Seconds from the API call to the check that ended the watch; dimensions Notifier, Kind, Outcome. */
  watchDuration: 'WatchDuration',
  /** Status checks the watch made, answered or not; dimensions Notifier, Kind, Outcome. */
  checksPerWatch: 'ChecksPerWatch',
} as const;
