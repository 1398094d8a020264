"""IAM set-up for the tests (sealed_test_support::emulator::iam) and `scripts/demo --deny`, against a moto server started with `scripts/dev-kms --iam 3`.

`setup ENDPOINT`: with moto's 3 unauthenticated calls, an admin user; then, as the admin, a KMS
key with the alias `alias/lambda`, a ciphertext of the canary, and a user `app` without any
permission. Prints JSON. (`scripts/demo --deny` uses it too.)
`grant ENDPOINT ADMIN_ID ADMIN_SECRET`: as the admin, lets `app` call kms:Decrypt.
"""
import base64
import json
import sys

import boto3

REGION = "us-east-1"
CANARY = b"canary-iam-5e2b"
# moto checks every KMS action against resource "*": a key-scoped policy would always be denied.
DECRYPT = {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def client(service, endpoint, key_id="test", secret="test"):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=key_id, aws_secret_access_key=secret)


def setup(endpoint):
    iam = client("iam", endpoint)
    iam.create_user(UserName="admin")                                              # 1
    iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps(ADMIN))  # 2
    admin = iam.create_access_key(UserName="admin")["AccessKey"]                   # 3: enforced after
    as_admin = lambda service: client(service, endpoint, admin["AccessKeyId"], admin["SecretAccessKey"])
    kms = as_admin("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/lambda", TargetKeyId=key)
    blob = kms.encrypt(KeyId=key, Plaintext=CANARY)["CiphertextBlob"]
    iam = as_admin("iam")
    iam.create_user(UserName="app")
    app = iam.create_access_key(UserName="app")["AccessKey"]
    print(json.dumps({
        "key": key,
        "ciphertext": base64.b64encode(blob).decode(),
        "app_id": app["AccessKeyId"], "app_secret": app["SecretAccessKey"],
        "admin_id": admin["AccessKeyId"], "admin_secret": admin["SecretAccessKey"],
    }))


def grant(endpoint, admin_id, admin_secret):
    client("iam", endpoint, admin_id, admin_secret).put_user_policy(
        UserName="app", PolicyName="decrypt", PolicyDocument=json.dumps(DECRYPT))


if __name__ == "__main__":
    {"setup": setup, "grant": grant}[sys.argv[1]](*sys.argv[2:])
