/// The e-signature of one event, checked in log order against the key state (shared): the
/// rules make their findings in this fixed order, and the signature's status lists their
/// problems in the same order.
enum SignatureChecks {
    static func check(_ sig: Signature, _ e: Event, crypto: SignatureCheck?, keyring: Keyring,
                      registrations: [String: KeyRegistration], revocations: KeyRevocations, skew: Int64,
                      checked: inout CheckedEvent, at place: FindingPlace, into findings: inout [Finding]) {
        var status: [String] = []
        SigManifest.checkFields(sig, at: place, into: &findings)
        SigSigner.check(sig, e, status: &status, at: place, into: &findings)
        let keyName = sig.key ?? ""
        checked.keyFingerprint = keyring.info(named: keyName)?.fingerprint
        SigInvalid.check(crypto, keyName: keyName, status: &status, at: place, into: &findings)
        SigKey.check(crypto, fingerprint: checked.keyFingerprint, status: &status, at: place, into: &findings)
        if Keyring.isValidName(keyName) {
            let info = keyring.info(named: keyName)
            SigKey.checkKey(keyName, info: info, sig, keyring: keyring, registration: registrations[keyName],
                            status: &status, at: place, into: &findings)
            if let reg = registrations[keyName] {
                SigManifest.checkPrintedName(sig, e, keyName: keyName, registration: reg, status: &status, at: place, into: &findings)
            }
            let owner = registrations[keyName]?.owner ?? info?.trustOwner
            SigKey.checkRegistered(keyName, info: info, registered: registrations[keyName] != nil,
                                   revoked: revocations.revocation(of: keyName, owner: owner), owner: owner,
                                   status: &status, at: place, into: &findings)
        }
        SigManifest.checkTime(sig, e, skew: skew, status: &status, at: place, into: &findings)
        let ok = crypto != nil && status.isEmpty
        checked.signatureValid = ok
        checked.signatureStatus = ok ? "verified" : status.joined(separator: ", ")
    }
}
