/**
 * A simulated account for the sweeper: CloudFront's list and read calls over distributions, their invalidations and
 * tenants, in pages, answered with the SDK's own error classes; and Step Functions' StartExecution and ListExecutions
 * over one state machine, refusing a name twice as the API reference says
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 */
import {
  GetDistributionCommand,
  ListDistributionsCommand,
  ListDistributionTenantsCommand,
  ListInvalidationsCommand,
  NoSuchDistribution,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import {
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';

export interface SimulatedDistribution {
  readonly id: string;
  readonly status: 'InProgress' | 'Deployed';
  /** What ListDistributions shows; a summary without one makes the sweeper ask GetDistribution. */
  readonly eTag?: string;
  /** The ETag GetDistribution answers with. */
  readonly currentETag?: string;
  readonly lastModified: string;
  /** Newest first, as ListInvalidations lists them. */
  readonly invalidations?: readonly { readonly id: string; readonly status: string; readonly created: string }[];
  /** What GetDistribution counts as InProgressInvalidationBatches; by default, the InProgress invalidations above. */
  readonly inProgressInvalidationBatches?: number;
}

export interface SimulatedTenant {
  readonly id: string;
  readonly distributionId: string;
  readonly status: 'InProgress' | 'Deployed';
  readonly eTag: string;
  readonly lastModified: string;
}

type Command = { readonly input: Record<string, unknown> };

/** The calls the sweeper makes of CloudFront, in order, as "ListDistributions", "ListInvalidations E2…", … */
export class SimulatedCloudFront {
  readonly calls: string[] = [];
  /** Distributions deleted after they were listed: every later call about them answers NoSuchDistribution. */
  readonly deleted = new Set<string>();
  /** The error every call about a distribution answers with, such as throttling. */
  readonly failing = new Map<string, Error>();
  /** Called after each call is answered, with its name as in `calls`: a test deletes a distribution mid-sweep here. */
  afterCall: (call: string) => void = () => {};

  constructor(
    private readonly distributions: readonly SimulatedDistribution[],
    private readonly tenants: readonly SimulatedTenant[] = [],
    private readonly pageSize = 2,
  ) {}

  readonly client = { send: (command: Command) => this.answer(command) } as unknown as Pick<CloudFrontClient, 'send'>;

  private page<T>(items: readonly T[], marker: unknown) {
    const start = typeof marker === 'string' ? Number(marker) : 0;
    const end = start + this.pageSize;
    return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
  }

  private gone(id: string): NoSuchDistribution {
    return new NoSuchDistribution({ message: `The specified distribution does not exist: ${id}`, $metadata: {} });
  }

  private async answer(command: Command): Promise<unknown> {
    const answer = await this.answerCall(command);
    this.afterCall(this.calls.at(-1)!);
    return answer;
  }

  private async answerCall(command: Command): Promise<unknown> {
    const { input } = command;
    if (command instanceof ListDistributionsCommand) {
      this.calls.push('ListDistributions');
      const { items, next } = this.page(this.distributions, input.Marker);
      return {
        DistributionList: {
          IsTruncated: next !== undefined,
          NextMarker: next,
          Items: items.map((d) => ({
            Id: d.id,
            Status: d.status,
            ...(d.eTag === undefined ? {} : { ETag: d.eTag }),
            LastModifiedTime: new Date(d.lastModified),
          })),
        },
      };
    }
    const id = (input.DistributionId ?? input.Id ?? '') as string;
    const distribution = this.distributions.find((candidate) => candidate.id === id);
    const failure = this.failing.get(id);
    if (command instanceof GetDistributionCommand) {
      this.calls.push(`GetDistribution ${id}`);
      if (failure) throw failure;
      if (!distribution || this.deleted.has(id)) throw this.gone(id);
      const invalidations = distribution.invalidations ?? [];
      return {
        ETag: distribution.currentETag,
        Distribution: {
          Id: id,
          Status: distribution.status,
          InProgressInvalidationBatches:
            distribution.inProgressInvalidationBatches ??
            invalidations.filter(({ status }) => status === 'InProgress').length,
        },
      };
    }
    if (command instanceof ListInvalidationsCommand) {
      const marker = input.Marker as string | undefined;
      this.calls.push(`ListInvalidations ${id}${marker === undefined ? '' : ` after ${marker}`}`);
      if (failure) throw failure;
      if (!distribution || this.deleted.has(id)) throw this.gone(id);
      // NextMarker is the id of the page's last invalidation, and Marker starts after it (the API reference).
      const invalidations = distribution.invalidations ?? [];
      const start = marker === undefined ? 0 : invalidations.findIndex((i) => i.id === marker) + 1;
      const end = start + Math.min(Number(input.MaxItems ?? 100), this.pageSize);
      const items = invalidations.slice(start, end);
      const truncated = end < invalidations.length;
      return {
        InvalidationList: {
          Marker: marker ?? '',
          MaxItems: Number(input.MaxItems ?? 100),
          IsTruncated: truncated,
          ...(truncated ? { NextMarker: items.at(-1)!.id } : {}),
          Quantity: items.length,
          Items: items.map((i) => ({ Id: i.id, Status: i.status, CreateTime: new Date(i.created) })),
        },
      };
    }
    if (command instanceof ListDistributionTenantsCommand) {
      this.calls.push('ListDistributionTenants');
      const { items, next } = this.page(this.tenants, input.Marker);
      return {
        NextMarker: next,
        DistributionTenantList: items.map((t) => ({
          Id: t.id,
          DistributionId: t.distributionId,
          Status: t.status,
          ETag: t.eTag,
          LastModifiedTime: new Date(t.lastModified),
        })),
      };
    }
    throw new Error(`the simulated CloudFront does not answer ${command.constructor.name}`);
  }
}

export const STATE_MACHINE_ARN =
  'arn:aws:states:us-east-1:123456789012:stateMachine:CloudFrontChangeNotifier-ChangeWatch';

/** One watch state machine: its executions by name, each with its input and whether it still runs. */
export class SimulatedStepFunctions {
  readonly executions = new Map<string, { readonly input: string; readonly running: boolean }>();
  /** ListExecutions lags behind: executions started since are not listed yet. */
  staleList = false;
  private readonly listed = new Set<string>();

  readonly client = { send: (command: Command) => this.answer(command) } as unknown as Pick<SFNClient, 'send'>;

  /** What an earlier start left behind, as if a part of the notifier or a person had started it. */
  add(name: string, input: string, running = true): void {
    this.executions.set(name, { input, running });
    this.listed.add(name);
  }

  private async answer(command: Command): Promise<unknown> {
    const { input } = command;
    if (command instanceof StartExecutionCommand) {
      const name = String(input.name);
      const arn = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;
      const existing = this.executions.get(name);
      if (existing) {
        if (existing.running && existing.input === input.input) return { executionArn: arn };
        throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${arn}'`, $metadata: {} });
      }
      this.executions.set(name, { input: String(input.input), running: true });
      if (!this.staleList) this.listed.add(name);
      return { executionArn: arn, startDate: new Date() };
    }
    if (command instanceof ListExecutionsCommand) {
      const running = [...this.executions].filter(([name, { running }]) => running && this.listed.has(name));
      return { executions: running.map(([name]) => ({ name, status: 'RUNNING' })) };
    }
    throw new Error(`the simulated Step Functions does not answer ${command.constructor.name}`);
  }
}
