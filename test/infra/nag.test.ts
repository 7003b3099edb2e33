import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synthNotifier } from '../../tools/lib/synth';
import { synthesized } from '../support/definition';
import { CONFIGURATIONS } from './configurations';

/** Every acknowledgement (suppression) recorded in the construct tree, with the construct it was made on. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe.each(CONFIGURATIONS)('cdk-nag AwsSolutions with $name', ({ context }) => {
  it('reports no unacknowledged error or warning', () => {
    // Arrange
    const { stack } = synthesized(context);
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);
    // Assert
    const findings = report.violations.map(
      (violation) =>
        `${violation.severity} ${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('acknowledges findings one by one, each with a reason of its own', () => {
    // Arrange
    const { stack } = synthesized(context);
    // Act
    const acknowledged = acknowledgements(stack);
    // Assert
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledged) {
      expect(id, `${path}: one rule, not a whole pack`).toMatch(/AwsSolutions-[A-Za-z]+\d+/);
      expect(reason.length, `${path} ${id}: a reason that says why`).toBeGreaterThanOrEqual(60);
    }
    // A reason copied onto another finding explains at most one of them.
    const findingsPerReason = new Map<string, Set<string>>();
    for (const { id, reason } of acknowledged)
      findingsPerReason.set(reason, (findingsPerReason.get(reason) ?? new Set()).add(id));
    for (const [reason, ids] of findingsPerReason) expect([...ids], reason).toHaveLength(1);
    // IAM5 covers several kinds of finding: each acknowledgement names the one it is about.
    const iam5 = acknowledged.filter(({ id }) => id.includes('AwsSolutions-IAM5'));
    expect(iam5.length).toBeGreaterThan(0);
    for (const { path, id } of iam5) expect(id, path).toMatch(/AwsSolutions-IAM5\[Resource::.+\]$/);
  });
});

describe('cdk-nag acknowledgements', () => {
  it('are not spread over the stack: each sits on the construct whose finding it explains', () => {
    // Arrange
    const everything = CONFIGURATIONS.find(
      ({ context }) => context.createTrail === 'true' && context.alarms === 'true',
    )!;
    const { stack } = synthesized(everything.context);
    // Act
    const paths = acknowledgements(stack).map(({ path }) => path);
    // Assert
    expect(paths).not.toContain(stack.node.path);
    expect(paths.length).toBeGreaterThan(0);
  });

  it('still report a finding nobody reviewed: nothing is acknowledged stack-wide', () => {
    // Arrange: a fresh default stack plus a queue without dead-letter queue or TLS-only policy
    const { stack } = synthNotifier({});
    new sqs.Queue(stack, 'UnreviewedQueue');
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);
    // Assert
    expect(report.violations.map((violation) => violation.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
    expect(report.violations.flatMap((violation) => violation.violatingResources.map((r) => r.constructPath))).toEqual(
      expect.arrayContaining([`${stack.node.path}/UnreviewedQueue/Resource`]),
    );
  });
});
