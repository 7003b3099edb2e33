#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addNotifierStack } from './notifier-app';

const app = new App();
// Every synth and deploy runs the AwsSolutions checks: a finding nobody acknowledged with a reason stops it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
addNotifierStack(app, { account: process.env.CDK_DEFAULT_ACCOUNT });
