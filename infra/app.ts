#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config';
import { NotifierStack, REQUIRED_REGION } from './notifier-stack';

const app = new App();
// Every synth and deploy runs the AwsSolutions checks: a finding nobody acknowledged with a reason stops it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const config = readConfig((key) => app.node.tryGetContext(key));
const region = app.node.tryGetContext('region') ?? REQUIRED_REGION;
new NotifierStack(app, 'CloudFrontChangeNotifier', {
  description: 'Notifies when CloudFront distribution deployments and invalidations are really done',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region },
  config,
});
