import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { NotifierDashboard, type NotifierDashboardProps } from '../../../infra/constructs/dashboard';
import { dashboardBody, tokenIn, widgetTitled } from '../../support/dashboard-body';
import { bareStack } from './bare-stack';

function sources(stack: Stack) {
  return {
    deadLetterQueue: new sqs.Queue(stack, 'DeadLetters'),
    bufferQueue: new sqs.Queue(stack, 'Buffer'),
    consumerLogs: new logs.LogGroup(stack, 'ConsumerLogs'),
    sweepLogs: new logs.LogGroup(stack, 'SweepLogs'),
  };
}

function build(
  props: (stack: Stack, given: ReturnType<typeof sources>) => Partial<NotifierDashboardProps> = () => ({}),
) {
  const stack = bareStack();
  const given = sources(stack);
  const dashboard = new NotifierDashboard(stack, 'Dashboard', {
    kinds: ['distribution', 'invalidation'],
    watchesStarted: {
      Consumer: { logGroup: given.consumerLogs, filterPattern: logs.FilterPattern.stringValue('$.message', '=', 'Go') },
    },
    deadLetterQueue: given.deadLetterQueue,
    ...props(stack, given),
  });
  const template = Template.fromStack(stack);
  return { stack, given, dashboard, template, widgets: dashboardBody(template).widgets };
}

const watchMetric = (metricName: string, kind: string, outcome: string, stat: string, label: string) => [
  'CloudFrontChangeNotifier',
  metricName,
  'Kind',
  kind,
  'Notifier',
  'Bare',
  'Outcome',
  outcome,
  { label, stat },
];

describe('NotifierDashboard', () => {
  it('is named after the stack and shows the last week unless a widget says otherwise', () => {
    // Arrange, Act
    const { template } = build();
    // Assert
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Bare' });
    expect(dashboardBody(template).start).toBe('-P7D');
  });

  it('shows the time to done of each kind, p50, p90 and max, over the last 24 hours and the last 7 days', () => {
    // Arrange, Act
    const { widgets } = build();
    // Assert
    const expected = [
      watchMetric('WatchDuration', 'distribution', 'deployed', 'p50', 'distribution p50'),
      watchMetric('WatchDuration', 'distribution', 'deployed', 'p90', 'distribution p90'),
      watchMetric('WatchDuration', 'distribution', 'deployed', 'Maximum', 'distribution max'),
      watchMetric('WatchDuration', 'invalidation', 'completed', 'p50', 'invalidation p50'),
      watchMetric('WatchDuration', 'invalidation', 'completed', 'p90', 'invalidation p90'),
      watchMetric('WatchDuration', 'invalidation', 'completed', 'Maximum', 'invalidation max'),
    ];
    const day = widgetTitled(widgets, 'Time to done (s), last 24 hours').properties;
    const week = widgetTitled(widgets, 'Time to done (s), last 7 days').properties;
    expect(day).toMatchObject({ view: 'singleValue', start: '-P1D', setPeriodToTimeRange: true, metrics: expected });
    expect(week).toMatchObject({ view: 'singleValue', start: '-P7D', setPeriodToTimeRange: true, metrics: expected });
  });

  it('shows the checks per watch of each kind the same way, for the tenant kinds as well when given them', () => {
    // Arrange, Act
    const { widgets } = build(() => ({ kinds: ['tenant', 'tenant-invalidation'] }));
    // Assert
    const expected = [
      watchMetric('ChecksPerWatch', 'tenant', 'deployed', 'p50', 'tenant p50'),
      watchMetric('ChecksPerWatch', 'tenant', 'deployed', 'p90', 'tenant p90'),
      watchMetric('ChecksPerWatch', 'tenant', 'deployed', 'Maximum', 'tenant max'),
      watchMetric('ChecksPerWatch', 'tenant-invalidation', 'completed', 'p50', 'tenant-invalidation p50'),
      watchMetric('ChecksPerWatch', 'tenant-invalidation', 'completed', 'p90', 'tenant-invalidation p90'),
      watchMetric('ChecksPerWatch', 'tenant-invalidation', 'completed', 'Maximum', 'tenant-invalidation max'),
    ];
    expect(widgetTitled(widgets, 'Checks per watch, last 24 hours').properties).toMatchObject({
      start: '-P1D',
      setPeriodToTimeRange: true,
      metrics: expected,
    });
    expect(widgetTitled(widgets, 'Checks per watch, last 7 days').properties).toMatchObject({
      start: '-P7D',
      setPeriodToTimeRange: true,
      metrics: expected,
    });
  });

  it('shows the watches finished per hour by each outcome the kinds can end with', () => {
    // Arrange, Act
    const { widgets } = build(() => ({ kinds: ['invalidation'] }));
    // Assert
    const finished = (outcome: string) => [
      'CloudFrontChangeNotifier',
      'WatchesFinished',
      'Notifier',
      'Bare',
      'Outcome',
      outcome,
      { label: outcome, period: 3600, stat: 'Sum' },
    ];
    expect(widgetTitled(widgets, 'Watches finished per hour, by outcome').properties).toMatchObject({
      stacked: true,
      metrics: [finished('completed'), finished('not-found'), finished('timed-out'), finished('check-failed')],
    });
  });

  it('counts the watches started with one metric filter per source, into WatchesStarted of the stack', () => {
    // Arrange, Act
    const { template, widgets, stack, given } = build((_, { consumerLogs, sweepLogs }) => ({
      watchesStarted: {
        Consumer: {
          logGroup: consumerLogs,
          filterPattern: logs.FilterPattern.stringValue('$.message', '=', 'Go'),
        },
        Sweep: { logGroup: sweepLogs, filterPattern: logs.FilterPattern.numberValue('$.found', '=', 1) },
      },
    }));
    // Assert
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).map(
      ({ Properties }) => Properties,
    );
    const transformation = {
      MetricName: 'WatchesStarted',
      MetricNamespace: 'CloudFrontChangeNotifier/Bare',
      MetricValue: '1',
    };
    expect(filters).toEqual([
      {
        LogGroupName: stack.resolve(given.consumerLogs.logGroupName),
        FilterPattern: '{ $.message = "Go" }',
        MetricTransformations: [transformation],
      },
      {
        LogGroupName: stack.resolve(given.sweepLogs.logGroupName),
        FilterPattern: '{ $.found = 1 }',
        MetricTransformations: [transformation],
      },
    ]);
    expect(widgetTitled(widgets, 'Watches started (per hour)').properties.metrics).toEqual([
      ['CloudFrontChangeNotifier/Bare', 'WatchesStarted', { label: 'started per hour', period: 3600, stat: 'Sum' }],
    ]);
  });

  it('takes the watches in progress from a logged gauge: a metric filter of the value, its maximum per 5 minutes', () => {
    // Arrange, Act
    const { template, widgets, stack, given } = build((_, { sweepLogs }) => ({
      watchesInProgress: {
        gauge: {
          logGroup: sweepLogs,
          filterPattern: logs.FilterPattern.numberValue('$.running', '>=', 0),
          valueField: '$.running',
        },
      },
    }));
    // Assert
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: stack.resolve(given.sweepLogs.logGroupName),
      FilterPattern: '{ $.running >= 0 }',
      MetricTransformations: [
        { MetricName: 'WatchesInProgress', MetricNamespace: 'CloudFrontChangeNotifier/Bare', MetricValue: '$.running' },
      ],
    });
    expect(widgetTitled(widgets, 'Watches started (per hour) and in progress').properties.metrics).toContainEqual([
      'CloudFrontChangeNotifier/Bare',
      'WatchesInProgress',
      { label: 'in progress', stat: 'Maximum', yAxis: 'right' },
    ]);
  });

  it('takes the watches in progress from the buffer queue: its messages waiting plus those hidden between checks', () => {
    // Arrange, Act
    const { widgets, stack, given } = build((_, { bufferQueue }) => ({ watchesInProgress: { bufferQueue } }));
    // Assert
    const buffer = tokenIn(stack, given.bufferQueue.queueName);
    expect(widgetTitled(widgets, 'Watches started (per hour) and in progress').properties.metrics).toEqual([
      ['CloudFrontChangeNotifier/Bare', 'WatchesStarted', { label: 'started per hour', period: 3600, stat: 'Sum' }],
      [{ label: 'in progress', expression: 'waiting + hidden', yAxis: 'right' }],
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', buffer, { visible: false, id: 'waiting' }],
      ['AWS/SQS', 'ApproximateNumberOfMessagesNotVisible', 'QueueName', buffer, { visible: false, id: 'hidden' }],
    ]);
  });

  it('shows the depth of the dead-letter queue, its maximum per 5 minutes', () => {
    // Arrange, Act
    const { widgets, stack, given } = build();
    // Assert
    expect(widgetTitled(widgets, 'Dead-letter queue: messages').properties.metrics).toEqual([
      [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        tokenIn(stack, given.deadLetterQueue.queueName),
        { label: 'messages', stat: 'Maximum' },
      ],
    ]);
  });

  it("shows the given alarms' states, and no alarm widget without alarms", () => {
    // Arrange
    const alarms: cloudwatch.Alarm[] = [];
    const alarmOn = (stack: Stack, queue: sqs.IQueue) => {
      alarms.push(
        new cloudwatch.Alarm(stack, 'Full', {
          metric: queue.metricApproximateNumberOfMessagesVisible(),
          threshold: 1,
          evaluationPeriods: 1,
        }),
      );
      return alarms;
    };
    // Act
    const withAlarms = build((stack, { deadLetterQueue }) => ({ alarms: alarmOn(stack, deadLetterQueue) }));
    const without = build();
    // Assert
    expect(widgetTitled(withAlarms.widgets, 'Alarms')).toMatchObject({
      type: 'alarm',
      width: 24,
      properties: { alarms: [tokenIn(withAlarms.stack, alarms[0]!.alarmArn)] },
    });
    expect(without.widgets.filter(({ type }) => type === 'alarm')).toEqual([]);
  });

  it('opens with a text that names the stack, the schedule keys to tune and the page that says more', () => {
    // Arrange, Act
    const { widgets } = build();
    // Assert
    const [text] = widgets.filter(({ type }) => type === 'text');
    const markdown = text!.properties.markdown as string;
    expect(markdown).toMatch(/^# Bare: what the CloudFront change notifier sees/);
    expect(markdown).toContain('deployed or completed');
    expect(markdown).toContain('`distributionFastPhaseSeconds`');
    expect(markdown).toContain('`pollIntervalSeconds`');
    expect(markdown).toContain('docs/dashboard.md');
  });
});
