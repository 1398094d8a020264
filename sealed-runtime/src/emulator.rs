//! What local KMS emulators answer differently from AWS KMS, kept in this one place so that a
//! reader can tell KMS's behaviour from an emulator's.
//!
//! * moto's IAM layer (`scripts/dev-kms --iam`) denies and rejects in XML, the query protocol's
//!   shape (`<ErrorResponse><Error><Code>AccessDenied</Code><Message>…`), where KMS answers in
//!   JSON with an `__type` the SDK reads as the error code. Its codes are spelled as STS and
//!   IAM spell them (`AccessDenied`, `InvalidClientTokenId`), not as KMS does
//!   (`AccessDeniedException`, `UnrecognizedClientException`).
//! * moto ignores `DryRun` and decrypts (`Sealed::verify` zeroes that plaintext at once).

/// The `<Code>` and `<Message>` of an XML error body, where it has them.
pub fn xml_error(body: &str) -> (Option<String>, Option<String>) {
    (xml_element(body, "Code"), xml_element(body, "Message"))
}

/// The XML spelling of KMS's `AccessDeniedException`.
pub(crate) const XML_ACCESS_DENIED: &str = "AccessDenied";

/// Credentials rejected, as services that answer in XML spell it.
pub(crate) const XML_CREDENTIAL_REJECTIONS: [&str; 5] = [
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "RequestExpired",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
];

/// The text of the first `<name>…</name>` in an XML error body.
fn xml_element(body: &str, name: &str) -> Option<String> {
    let start = body.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + body[start..].find(&format!("</{name}>"))?;
    Some(body[start..end].trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::xml_error;

    #[test]
    fn an_xml_error_body_gives_its_code_and_message() {
        let body = "<ErrorResponse><Error><Code>AccessDenied</Code>\
                    <Message> User: arn:aws:iam::123456789012:user/app is not authorized to perform: kms:Decrypt </Message>\
                    </Error></ErrorResponse>";
        let (code, message) = xml_error(body);
        assert_eq!(code.as_deref(), Some("AccessDenied"));
        assert!(message.unwrap().starts_with("User: arn:aws:iam::"));
        assert_eq!(xml_error("{\"__type\": \"x\"}"), (None, None));
        assert_eq!(xml_error("<Code>cut"), (None, None));
    }
}
