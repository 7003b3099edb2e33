/**
 * Whether a log group holds a line that a filter pattern matches, as the sweep and the sqs-retry checker look for each
 * other's watch of a change in mode sqs-retry.
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

/** Pages of FilterLogEvents read before deciding on what was seen. */
const MAX_SEARCH_PAGES = 10;

export interface LogSearch {
  readonly logs: Pick<CloudWatchLogsClient, 'send'>;
  readonly logGroupName: string;
}

/**
 * One line is enough; a page may come back empty while CloudWatch Logs has more to search (nextToken),
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 */
export async function hasLogLine(search: LogSearch, filterPattern: string, startTime: Date): Promise<boolean> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
    const answer = await search.logs.send(
      new FilterLogEventsCommand({
        logGroupName: search.logGroupName,
        startTime: startTime.getTime(),
        filterPattern,
        limit: 1,
        nextToken,
      }),
    );
    if ((answer.events ?? []).length > 0) return true;
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  return false;
}
