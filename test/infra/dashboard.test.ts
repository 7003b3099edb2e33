import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { configErrorFrom, configFrom } from '../support/config';
import { dashboardBody, widgetTitled } from '../support/dashboard-body';
import { synthesized } from '../support/definition';

const SQS_RETRY = { mode: 'sqs-retry' };

function stacked(context: Record<string, unknown>) {
  const { template: raw } = synthesized(context);
  const template = Template.fromJSON(raw);
  const filters = Object.values(template.findResources('AWS::Logs::MetricFilter'))
    .map(({ Properties }) => Properties)
    .filter(({ MetricTransformations }) =>
      ['WatchesStarted', 'WatchesInProgress'].includes(MetricTransformations[0].MetricName),
    );
  return { raw, template, filters };
}

const logGroupOf = (raw: { Resources: Record<string, { Type: string }> }, prefix: string) => {
  const ids = Object.keys(raw.Resources).filter(
    (id) => id.startsWith(prefix) && raw.Resources[id]!.Type === 'AWS::Logs::LogGroup',
  );
  expect(ids).toHaveLength(1);
  return { Ref: ids[0] };
};

const started = (group: unknown, pattern: string) => ({
  LogGroupName: group,
  FilterPattern: pattern,
  MetricTransformations: [
    {
      MetricName: 'WatchesStarted',
      MetricNamespace: 'CloudFrontChangeNotifier/CloudFrontChangeNotifier',
      MetricValue: '1',
    },
  ],
});

describe('dashboard config', () => {
  it('is on unless set to false, from `-c` strings and cdk.json values alike', () => {
    // Arrange, Act
    const unset = configFrom({});
    const fromCommandLine = configFrom({ dashboard: 'false' });
    const fromCdkJson = configFrom({ dashboard: false });
    // Assert
    expect(unset.dashboard).toEqual({ enabled: true });
    expect(fromCommandLine.dashboard).toEqual({ enabled: false });
    expect(fromCdkJson.dashboard).toEqual({ enabled: false });
  });

  it('refuses anything but true or false, and names the key', () => {
    // Arrange, Act
    const error = configErrorFrom({ dashboard: 'yes' });
    // Assert
    expect(error.message).toBe('Invalid context value for "dashboard": "yes". Allowed: true or false.');
  });
});

describe('the dashboard of the stack', () => {
  it('mode stepfunctions: counts the dispatcher starts and the sweep starts, and the gauge of the sweep', () => {
    // Arrange, Act
    const { raw, template, filters } = stacked({});
    // Assert
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'CloudFrontChangeNotifier' });
    const sweepLogs = logGroupOf(raw, 'SweepLogs');
    expect(filters).toEqual([
      started(logGroupOf(raw, 'DispatcherLogs'), '{ $.message = "Watch started" }'),
      started(sweepLogs, '{ $.missedByCapture = 1 }'),
      {
        LogGroupName: sweepLogs,
        FilterPattern: '{ $.watchesInProgress >= 0 }',
        MetricTransformations: [
          {
            MetricName: 'WatchesInProgress',
            MetricNamespace: 'CloudFrontChangeNotifier/CloudFrontChangeNotifier',
            MetricValue: '$.watchesInProgress',
          },
        ],
      },
    ]);
  });

  it('mode sqs-retry: counts the first check of each watch in the checker log, and the buffer queue as in progress', () => {
    // Arrange, Act
    const { raw, template, filters } = stacked(SQS_RETRY);
    // Assert
    expect(filters).toEqual([
      started(
        logGroupOf(raw, 'StatusCheckLogs'),
        '{ ($.check = 1) && (($.message = "Change not done yet") || ' +
          '($.message = "CloudFront gave no answer; the change is checked again at the next scheduled check") || ' +
          '($.message = "Watch ended; notification sent") || ' +
          '($.message = "Could not publish the notification; the message comes back and the change is checked again")) }',
      ),
    ]);
    const metrics = widgetTitled(dashboardBody(template).widgets, 'Watches started (per hour) and in progress')
      .properties.metrics!;
    expect(metrics.slice(1).map((line) => line.slice(0, 2))).toEqual([
      [{ label: 'in progress', expression: 'waiting + hidden', yAxis: 'right' }],
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible'],
      ['AWS/SQS', 'ApproximateNumberOfMessagesNotVisible'],
    ]);
  });

  it('mode stepfunctions without a sweep: counts the dispatcher starts only, and shows no watches in progress', () => {
    // Arrange, Act
    const { template, filters } = stacked({ sweepIntervalMinutes: '0' });
    // Assert
    expect(filters.map(({ FilterPattern }) => FilterPattern)).toEqual(['{ $.message = "Watch started" }']);
    const metrics = widgetTitled(dashboardBody(template).widgets, 'Watches started (per hour)').properties.metrics!;
    expect(metrics.map((line) => line[1])).toEqual(['WatchesStarted']);
  });

  it.each([{}, SQS_RETRY])('shows the state of every alarm of the stack (%o)', (context) => {
    // Arrange, Act
    const { template } = stacked(context);
    // Assert
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).sort();
    const shown = widgetTitled(dashboardBody(template).widgets, 'Alarms').properties.alarms as string[];
    expect(shown.map((arn) => arn.replace(/^<Fn::GetAtt:\[(\w+),Arn\]>$/, '$1')).sort()).toEqual(alarmIds);
    expect(alarmIds.length).toBeGreaterThan(0);
  });

  it('has no alarm widget when alarms is false', () => {
    // Arrange, Act
    const { template } = stacked({ alarms: 'false' });
    // Assert
    expect(dashboardBody(template).widgets.map(({ type }) => type)).not.toContain('alarm');
  });

  it('gives its console address as the DashboardUrl output', () => {
    // Arrange, Act
    const { raw, template } = stacked({});
    // Assert
    const dashboardId = Object.keys(raw.Resources).find(
      (id) => raw.Resources[id]!.Type === 'AWS::CloudWatch::Dashboard',
    );
    expect(template.findOutputs('DashboardUrl').DashboardUrl!.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/',
          { Ref: dashboardId },
        ],
      ],
    });
  });

  it.each([{}, SQS_RETRY])('is left out with its metric filters and output when dashboard is false (%o)', (context) => {
    // Arrange, Act
    const { template, filters } = stacked({ ...context, dashboard: 'false' });
    // Assert
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(filters).toEqual([]);
    expect(template.findOutputs('DashboardUrl')).toEqual({});
  });
});
