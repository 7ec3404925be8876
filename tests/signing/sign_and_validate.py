"""Signs a vanban PDF in one of its empty signature fields with pyHanko, then validates it.

Usage: sign_and_validate.py <in.pdf> <field> <out.pdf>

A throwaway self-signed certificate stands in for a signer's token. The check fails (exit 1)
unless pyHanko finds the field already in the document (vanban placed it: nothing new is
created), the signature is intact and valid against that certificate, and it covers the whole
file except the signature itself.
"""

import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext


def throwaway_signer(workdir):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Chủ trì thử nghiệm")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, True, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = f"{workdir}/key.pem", f"{workdir}/cert.pem"
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return signers.SimpleSigner.load(key_path, cert_path), load_cert_from_pemder(cert_path)


def main(source, field, target):
    import tempfile

    with tempfile.TemporaryDirectory() as workdir:
        signer, cert = throwaway_signer(workdir)

    with open(source, "rb") as f:
        names = [name for name, _, _ in fields.enumerate_sig_fields(PdfFileReader(f))]
    if field not in names:
        sys.exit(f"field {field!r} not in the PDF (fields: {names})")

    with open(source, "rb") as inp, open(target, "wb") as out:
        writer = IncrementalPdfFileWriter(inp)
        meta = signers.PdfSignatureMetadata(field_name=field, reason="Ký thử nghiệm")
        signers.PdfSigner(meta, signer=signer, new_field_spec=None).sign_pdf(
            writer, output=out, existing_fields_only=True
        )

    with open(target, "rb") as f:
        reader = PdfFileReader(f)
        signatures = reader.embedded_signatures
        if len(signatures) != 1 or signatures[0].field_name != field:
            sys.exit(f"expected one signature in {field!r}, found {[s.field_name for s in signatures]}")
        status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[cert]))
        print(status.pretty_print_details())
        problems = []
        if not status.intact:
            problems.append("signature not intact")
        if not status.valid:
            problems.append("signature not valid")
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            problems.append(f"coverage is {status.coverage}, not the entire file")
        if problems:
            sys.exit("; ".join(problems))
    print(f"OK: {source} signed in field {field!r} and validated")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
