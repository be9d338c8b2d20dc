/// The bytes an event's hash and signature are computed over (contract sections 4.1 and 4.2).
public enum EventHashing {
    /// The domain-separation prefix of every e-signature.
    public static let signaturePrefix: [UInt8] = Array("trailpack-signature/1\n".utf8)
    /// `prev` of the first event.
    public static let zeroHash = String(repeating: "0", count: 64)

    /// JCS(event minus `hash`).
    public static func hashInput(_ event: JSONObject) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        JCS.writeObject(event, excluding: ["hash"], to: &out)
        return out
    }

    /// SHA-256 of JCS(event minus `hash`).
    public static func hash(_ event: JSONObject) -> SHA256.Digest {
        SHA256.digest(hashInput(event))
    }

    /// `trailpack-signature/1\n` || JCS(event minus `seq`, `prev`, `hash`, and `signature.sig`).
    public static func signatureMessage(_ event: JSONObject) -> [UInt8] {
        var obj = event
        if let sig = event["signature"]?.objectValue {
            obj["signature"] = .object(sig.removing("sig"))
        }
        var out = signaturePrefix
        JCS.writeObject(obj, excluding: ["seq", "prev", "hash"], to: &out)
        return out
    }
}
