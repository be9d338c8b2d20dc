/// SIG-INVALID: the signature is ed25519 and verifies over the event's signed content.
enum SigInvalid: RuleDefinition {
    static let rule = Rule(id: .sigInvalid, severity: .critical, clause: "21 CFR 11.70",
        what: "An electronic signature that does not verify over the event's signed content, or whose algorithm is not ed25519.",
        why: "Signatures must be linked to their records so that they cannot be copied or transferred to falsify a record.",
        remedy: "The signed content was changed or the signature was copied from another record: investigate, and have the signer sign the correct record again.")

    /// The signature's cryptography, per event on the workers (pure); key state is checked in order.
    static func crypto(_ sig: Signature, object: JSONObject, keyring: Keyring) -> SignatureCheck {
        guard let keyName = sig.key, Keyring.isValidName(keyName) else {
            return .malformed("signature has no valid \"key\" name")
        }
        guard sig.alg == "ed25519" else { return .unsupportedAlgorithm(sig.alg ?? "none") }
        guard let info = keyring.info(named: keyName) else { return .unknownKey(keyName) }
        guard info.trusted else { return .untrustedKey(keyName) }
        guard let sigText = sig.sig, let raw = Base64.decodeCanonical(sigText), raw.count == 64 else {
            return .malformed("\"sig\" is not a base64 64-byte Ed25519 signature")
        }
        return info.key.verify(signature: raw, message: EventHashing.signatureMessage(object)) ? .verified : .doesNotVerify
    }

    /// In log order: the finding of a signature that does not verify.
    static func check(_ crypto: SignatureCheck?, keyName: String, status: inout [String], at place: FindingPlace, into findings: inout [Finding]) {
        switch crypto {
        case .doesNotVerify?:
            status.append("does not verify")
            findings.append(place.finding(.sigInvalid, "signature by key \(keyName) does not verify over this event"))
        case .unsupportedAlgorithm(let alg)?:
            status.append("unsupported algorithm")
            findings.append(place.finding(.sigInvalid, "signature algorithm \"\(alg)\" is not ed25519"))
        case .malformed(let why)?:
            status.append("malformed")
            findings.append(place.finding(.sigInvalid, why))
        case .verified?, .unknownKey?, .untrustedKey?, nil:
            break
        }
    }
}
