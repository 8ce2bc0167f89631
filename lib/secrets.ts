import { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV_NAMES } from '../functions/shared/env-names';

export interface SecretsProps {
  /** Prefix of flow secrets: `{prefix}/{tenant}/{namespace}/{KEY}` and `{prefix}/{tenant}/{KEY}`. */
  readonly secretPrefix: string;
  /** Use an existing secret for the API credentials instead of generating one. */
  readonly basicAuthSecretName?: string;
  readonly basicAuthUsername: string;
}

/**
 * Secrets: the API credentials (generated on first deploy, or an existing
 * secret) and read access to the flow secrets under the configured prefix.
 */
export class Secrets extends Construct {
  readonly authSecret: ISecret;
  readonly secretPrefix: string;

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);
    this.secretPrefix = props.secretPrefix;
    this.authSecret = props.basicAuthSecretName
      ? Secret.fromSecretNameV2(this, 'AuthSecret', props.basicAuthSecretName)
      : new Secret(this, 'AuthSecret', {
          description: 'Windhover API credentials: {"username","password","apiTokenHashes":[sha256 hex of each API token]}',
          generateSecretString: {
            secretStringTemplate: JSON.stringify({ username: props.basicAuthUsername, apiTokenHashes: [] }),
            generateStringKey: 'password',
            excludePunctuation: true,
            passwordLength: 32,
          },
        });
  }

  /** Read the API credentials (authorizer and API function). */
  configureReadAuth(fn: LambdaFunction): void {
    this.authSecret.grantRead(fn);
    fn.addEnvironment(ENV_NAMES.AUTH_SECRET_ID, this.authSecret.secretArn);
  }

  /** Read flow secrets (`secret()`): only names under the prefix; ListSecrets cannot be scoped by name. */
  grantReadFlowSecrets(grantee: IGrantable): void {
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [`arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${this.secretPrefix}/*`],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }));
  }

  configureReadFlowSecrets(fn: LambdaFunction): void {
    this.grantReadFlowSecrets(fn);
    fn.addEnvironment(ENV_NAMES.SECRET_PREFIX, this.secretPrefix);
  }
}
