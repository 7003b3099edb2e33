import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';

export interface Widget {
  readonly type: string;
  readonly width: number;
  readonly properties: Record<string, unknown> & { title?: string; metrics?: unknown[][] };
}

/** How dashboardBody writes out a CloudFormation token. */
const placeholder = (token: unknown) => `<${JSON.stringify(token).replace(/["{}]/g, '')}>`;

/** How a resource's attribute reads in dashboardBody. */
export const tokenIn = (stack: Stack, value: string) => placeholder(stack.resolve(value));

/** The dashboard body as JSON, each CloudFormation token in it written out as `<Ref:...>` or `<Fn::GetAtt:[...]>`. */
export function dashboardBody(template: Template): { start: string; widgets: Widget[] } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]!.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : placeholder(part))).join('');
  return JSON.parse(text) as { start: string; widgets: Widget[] };
}

export const widgetTitled = (widgets: Widget[], title: string): Widget => {
  const widget = widgets.find((candidate) => candidate.properties.title === title);
  if (!widget) throw new Error(`no widget titled ${title}: ${widgets.map((w) => w.properties.title).join(', ')}`);
  return widget;
};
