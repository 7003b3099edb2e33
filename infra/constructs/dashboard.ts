import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { KINDS, OUTCOMES, type WatchKind } from '../../domain/kinds';
import { outcomesFor } from '../../domain/notification';
import { watchMetricDimensions, type WatchMetricName } from '../../domain/change-event';
import { WATCH_METRICS } from '../../domain/watch-metrics';

/** The metrics the dashboard takes from the logs, in the namespace `CloudFrontChangeNotifier/<stack name>`. */
export const DASHBOARD_LOG_METRICS = {
  /** 1 per watch started, from the log line of whatever started it. */
  watchesStarted: 'WatchesStarted',
  /** Mode stepfunctions with a sweep: the executions running at the end of each sweep. */
  watchesInProgress: 'WatchesInProgress',
} as const;

/** The time ranges of the duration and check figures: ISO 8601 durations before now, as CloudWatch takes them. */
const DASHBOARD_RANGES = { day: '-P1D', week: '-P7D' } as const;

/** The statistics of each duration and check figure. */
const DASHBOARD_STATISTICS = [
  { statistic: 'p50', label: 'p50' },
  { statistic: 'p90', label: 'p90' },
  { statistic: 'Maximum', label: 'max' },
] as const;

/** Log lines of which each one means one watch started. */
export interface LoggedStarts {
  readonly logGroup: logs.ILogGroup;
  /** Matches exactly one log event per watch started. */
  readonly filterPattern: logs.IFilterPattern;
}

/** A log line that carries the number of watches in progress. */
export interface LoggedGauge {
  readonly logGroup: logs.ILogGroup;
  /** Matches the log events that carry the number. */
  readonly filterPattern: logs.IFilterPattern;
  /** The JSON field with the number, such as `$.watchesInProgress`. */
  readonly valueField: string;
}

/**
 * Where the number of watches in progress comes from: the buffer queue of mode sqs-retry, where each watch is one
 * message until it ends, or a gauge that something logs.
 */
export type InProgressSource = { readonly bufferQueue: sqs.IQueue } | { readonly gauge: LoggedGauge };

export interface NotifierDashboardProps {
  /** The kinds of watch the stack follows: one figure each of time to done and of checks. */
  readonly kinds: readonly WatchKind[];
  /** The log lines that each mean one watch started, by the name of what logs them: one metric filter each. */
  readonly watchesStarted: Readonly<Record<string, LoggedStarts>>;
  /** The dead-letter queue: its depth is shown. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Where the number of watches in progress comes from.
   * @default - no line of watches in progress
   */
  readonly watchesInProgress?: InProgressSource;
  /**
   * The alarms whose states the dashboard shows.
   * @default - no alarm status widget
   */
  readonly alarms?: readonly cloudwatch.IAlarm[];
  /**
   * The dashboard's name.
   * @default - the stack's name
   */
  readonly dashboardName?: string;
}

const HOUR = Duration.hours(1);
const FIVE_MINUTES = Duration.minutes(5);
const FULL_WIDTH = 24;

/**
 * One CloudWatch dashboard of what the notifier sees: watches started, in progress and finished by outcome, the time
 * from the API call to done and the checks per watch over the last day and week, the dead-letter queue and the alarms.
 * The durations and checks are the metrics every finished watch records (WATCH_METRICS); how to read the dashboard
 * and tune the schedule from it is in docs/dashboard.md.
 */
export class NotifierDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** One metric filter per source of watches started, all into WatchesStarted. */
  readonly startFilters: logs.MetricFilter[];
  /** With a logged gauge: its metric filter. */
  readonly inProgressFilter?: logs.MetricFilter;
  /** The value of the Notifier dimension: the stack's name. */
  readonly notifier: string;

  constructor(scope: Construct, id: string, props: NotifierDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.notifier = stack.stackName;
    const logNamespace = `CloudFrontChangeNotifier/${this.notifier}`;

    this.startFilters = Object.entries(props.watchesStarted).map(
      ([name, source]) =>
        new logs.MetricFilter(this, `${name}WatchesStarted`, {
          logGroup: source.logGroup,
          filterPattern: source.filterPattern,
          metricNamespace: logNamespace,
          metricName: DASHBOARD_LOG_METRICS.watchesStarted,
          metricValue: '1',
        }),
    );
    const started = new cloudwatch.Metric({
      namespace: logNamespace,
      metricName: DASHBOARD_LOG_METRICS.watchesStarted,
      statistic: 'Sum',
      period: HOUR,
      label: 'started per hour',
    });

    let inProgress: cloudwatch.IMetric | undefined;
    const source = props.watchesInProgress;
    if (source && 'gauge' in source) {
      this.inProgressFilter = new logs.MetricFilter(this, 'WatchesInProgress', {
        logGroup: source.gauge.logGroup,
        filterPattern: source.gauge.filterPattern,
        metricNamespace: logNamespace,
        metricName: DASHBOARD_LOG_METRICS.watchesInProgress,
        metricValue: source.gauge.valueField,
      });
      inProgress = this.inProgressFilter.metric({ statistic: 'Maximum', period: FIVE_MINUTES, label: 'in progress' });
    } else if (source) {
      // Each watch is one message, visible while it waits for its check and hidden from a check to the next.
      inProgress = new cloudwatch.MathExpression({
        expression: 'waiting + hidden',
        usingMetrics: {
          waiting: source.bufferQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Average' }),
          hidden: source.bufferQueue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Average' }),
        },
        period: FIVE_MINUTES,
        label: 'in progress',
      });
    }

    const outcomes = OUTCOMES.filter((outcome) => props.kinds.some((kind) => outcomesFor(kind).includes(outcome)));
    const finished = outcomes.map(
      (outcome) =>
        new cloudwatch.Metric({
          namespace: WATCH_METRICS.namespace,
          metricName: WATCH_METRICS.watchesFinished,
          dimensionsMap: watchMetricDimensions(WATCH_METRICS.watchesFinished, { notifier: this.notifier, outcome }),
          statistic: 'Sum',
          period: HOUR,
          label: outcome,
        }),
    );

    const widgets: cloudwatch.IWidget[][] = [
      [
        new cloudwatch.TextWidget({
          markdown: readingGuide(this.notifier, props.kinds),
          width: FULL_WIDTH,
          height: 5,
        }),
      ],
      [
        new cloudwatch.GraphWidget({
          title: inProgress ? 'Watches started (per hour) and in progress' : 'Watches started (per hour)',
          left: [started],
          right: inProgress ? [inProgress] : [],
          leftYAxis: { min: 0, showUnits: false },
          rightYAxis: { min: 0, showUnits: false },
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: 'Watches finished per hour, by outcome',
          left: finished,
          stacked: true,
          leftYAxis: { min: 0, showUnits: false },
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: 'Dead-letter queue: messages',
          left: [
            props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              statistic: 'Maximum',
              period: FIVE_MINUTES,
              label: 'messages',
            }),
          ],
          leftYAxis: { min: 0, showUnits: false },
          width: 8,
        }),
      ],
      [
        this.figures('Time to done (s), last 24 hours', WATCH_METRICS.watchDuration, props.kinds, DASHBOARD_RANGES.day),
        this.figures('Time to done (s), last 7 days', WATCH_METRICS.watchDuration, props.kinds, DASHBOARD_RANGES.week),
      ],
      [
        this.figures(
          'Checks per watch, last 24 hours',
          WATCH_METRICS.checksPerWatch,
          props.kinds,
          DASHBOARD_RANGES.day,
        ),
        this.figures('Checks per watch, last 7 days', WATCH_METRICS.checksPerWatch, props.kinds, DASHBOARD_RANGES.week),
      ],
    ];
    if (props.alarms && props.alarms.length > 0) {
      widgets.push([
        new cloudwatch.AlarmStatusWidget({
          title: 'Alarms',
          alarms: [...props.alarms],
          width: FULL_WIDTH,
          height: 2 + Math.ceil(props.alarms.length / 4),
        }),
      ]);
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? this.notifier,
      defaultInterval: Duration.days(7),
      widgets,
    });
  }

  /** p50, p90 and max of a metric of the done watches, one set per kind, over the range up to now. */
  private figures(
    title: string,
    metricName: WatchMetricName,
    kinds: readonly WatchKind[],
    start: string,
  ): cloudwatch.IWidget {
    const metrics = kinds.flatMap((kind) =>
      DASHBOARD_STATISTICS.map(
        ({ statistic, label }) =>
          new cloudwatch.Metric({
            namespace: WATCH_METRICS.namespace,
            metricName,
            dimensionsMap: watchMetricDimensions(metricName, {
              notifier: this.notifier,
              kind,
              outcome: KINDS[kind].doneOutcome,
            }),
            statistic,
            label: `${kind} ${label}`,
          }),
      ),
    );
    return new cloudwatch.SingleValueWidget({
      title,
      metrics,
      start,
      setPeriodToTimeRange: true,
      width: FULL_WIDTH / 2,
      height: 2 + 2 * kinds.length,
    });
  }
}

/** The text at the top of the dashboard: what the widgets show and where tuning starts, in a few lines. */
function readingGuide(notifier: string, kinds: readonly WatchKind[]): string {
  const done = [...new Set(kinds.map((kind) => KINDS[kind].doneOutcome))].join(' or ');
  return [
    `# ${notifier}: what the CloudFront change notifier sees`,
    'Watches started, in progress, and finished by outcome (the notification each one ended with). ' +
      `**Time to done**: seconds from the CloudFront API call to the status check that found the change ${done}; ` +
      '**checks per watch**: the status checks that took. Both count the watches that ended done, per kind of watch.',
    "**Tuning**: a week's p90 time to done well inside the fast phase (`distributionFastPhaseSeconds`, " +
      '`invalidationFastPhaseSeconds`) means the phase could be shorter; past it, the watches wait ' +
      '`pollIntervalSeconds` between checks. How to read it and tune the schedule: docs/dashboard.md in the notifier repository.',
  ].join('\n\n');
}
