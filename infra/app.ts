/** CDK entry point (cdk.json: `npx tsx infra/app.ts`). Settings: CDK context, see the README. */
import { buildApp } from './pipeline-app';

buildApp().app.synth();
