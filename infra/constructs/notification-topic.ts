import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** What SNS asks KMS for with the publisher's credentials; CDK's grantPublish would ask for GenerateDataKey*. */
export const TOPIC_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

export interface NotificationTopicProps {
  /**
   * Each address gets an email subscription (AWS sends a confirmation mail first).
   * @default - no subscription; subscribe to the topic yourself
   */
  readonly emails?: readonly string[];
  /**
   * Encrypts the messages at rest. It must be customer-managed: the key policy of alias/aws/sns cannot let
   * CloudWatch alarms publish.
   * @default - a new customer-managed key with automatic rotation
   */
  readonly masterKey?: kms.IKey;
  /**
   * The sender name in email notifications.
   * @default 'CloudFront change notifier'
   */
  readonly displayName?: string;
}

/** The topic every notification goes to; KMS-encrypted and TLS-only. */
export class NotificationTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: NotificationTopicProps = {}) {
    super(scope, id);
    this.key =
      props.masterKey ??
      new kms.Key(this, 'Key', {
        description: 'Encrypts the CloudFront change notifier topics at rest',
        enableKeyRotation: true,
        // SNS keeps nothing encrypted under this key once the topic is gone, so it goes with the stack.
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName ?? 'CloudFront change notifier',
      enforceSSL: true,
      masterKey: this.key,
    });
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }
}

/** Lets a role publish to an encrypted topic: sns:Publish on the topic and the KMS calls on its key only. */
export function grantPublish(topic: sns.ITopic, grantee: iam.IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'PublishNotifications', actions: ['sns:Publish'], resources: [topic.topicArn] }),
  );
  if (topic.masterKey) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptNotifications',
        actions: [...TOPIC_KEY_ACTIONS],
        resources: [topic.masterKey.keyArn],
      }),
    );
  }
}
