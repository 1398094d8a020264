"""The project's local KMS: moto_server, plus the KMS action moto 5.2.5 lacks.

`GenerateDataKeyPairWithoutPlaintext` (bundle format 2 makes its key pair with it), following
https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPairWithoutPlaintext.html:
a key pair of the asked spec, its private key (DER PKCS#8) wrapped under the KMS key with the given
encryption context exactly as moto's own Encrypt wraps a plaintext (so moto's Decrypt with the same
key and context gives it back), its public key (DER SubjectPublicKeyInfo) in clear. What it does not
emulate: key policies (moto enforces none here), grant tokens, SM2, Ed25519 and ML-KEM pairs.

Run by `scripts/dev-kms` with moto_server's own arguments. It refuses to run on another moto than
the pinned one, or on a moto that has the action itself: then this file should go.
"""
import base64
import json
import sys

import moto
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from moto.core.exceptions import JsonRESTError
from moto.kms.exceptions import InvalidKeyUsageException, ValidationException
from moto.kms.responses import KmsResponse
from moto.server import main

PINNED = "5.2.5"
CURVES = {
    "ECC_NIST_P256": ec.SECP256R1,
    "ECC_NIST_P384": ec.SECP384R1,
    "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1,
}
RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}


def key_pair(spec):
    """(PKCS#8 DER private key, SubjectPublicKeyInfo DER public key) of `spec`."""
    if spec in CURVES:
        key = ec.generate_private_key(CURVES[spec]())
    elif spec in RSA_BITS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS[spec])
    else:
        raise ValidationException(
            f"1 validation error detected: Value '{spec}' at 'keyPairSpec' failed to satisfy "
            "constraint: not emulated by this local KMS (ECC_NIST_P256/P384/P521, ECC_SECG_P256K1, RSA_*)"
        )
    private = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def generate_data_key_pair_without_plaintext(self):
    key_id = self._get_param("KeyId")
    spec = self._get_param("KeyPairSpec")
    context = self._get_param("EncryptionContext", {})
    self._validate_key_id(key_id)
    key = self.kms_backend.describe_key(self.kms_backend.any_id_to_key_id(key_id))
    if key.key_spec != "SYMMETRIC_DEFAULT":  # KMS wraps data key pairs with symmetric keys only
        raise InvalidKeyUsageException()
    if not key.enabled:
        raise JsonRESTError("DisabledException", f"{key.arn} is disabled.")
    if self._get_param("DryRun"):
        raise JsonRESTError(
            "DryRunOperationException", "The request would have succeeded, but the DryRun option is set."
        )
    private, public = key_pair(spec)
    blob, arn = self.kms_backend.encrypt(key_id=key_id, plaintext=private, encryption_context=context)
    return json.dumps(
        {
            "PrivateKeyCiphertextBlob": base64.b64encode(blob).decode(),
            "PublicKey": base64.b64encode(public).decode(),
            "KeyId": arn,
            "KeyPairSpec": spec,
        }
    )


if __name__ == "__main__":
    if moto.__version__ != PINNED or hasattr(KmsResponse, "generate_data_key_pair_without_plaintext"):
        sys.exit(
            f"moto_server_sealed: written for moto {PINNED} without GenerateDataKeyPairWithoutPlaintext; "
            f"found moto {moto.__version__}: update scripts/moto_server_sealed.py with scripts/dev-kms"
        )
    KmsResponse.generate_data_key_pair_without_plaintext = generate_data_key_pair_without_plaintext
    sys.exit(main(sys.argv[1:]))
