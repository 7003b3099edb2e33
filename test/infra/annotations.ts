import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';

/** The synth-time infos the stack's constructs added with addInfoV2 under this id (CDK appends "[ack: <id>]"). */
export function infosWithId(stack: Stack, infoId: string) {
  return Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp(`\\[ack: ${infoId}\\]$`));
}
