internal import CPostgres
import Foundation

/// The `store` key of `trailpack.json` (contract section 10): the PostgreSQL connection string
/// of the audit store. It names the server, never a password.
public struct StoreSetting: Sendable, Equatable {
    /// A libpq connection string (`host=… dbname=…` or a `postgresql://` URI) without a password.
    public var postgresql: String

    public init(postgresql: String) { self.postgresql = postgresql }

    /// Why a connection string cannot be used, or nil: it must parse, and carry no password
    /// (libpq's password file, service file or environment supply that).
    public static func passwordProblem(_ conninfo: String) -> String? {
        var err: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &err) else {
            let why = err.map { String(cString: $0) } ?? "cannot be parsed"
            if let err { PQfreemem(err) }
            return "is not a valid PostgreSQL connection string (\(PGConnection.clean(why)))"
        }
        defer { PQconninfoFree(options) }
        var p = options
        while let keyword = p.pointee.keyword {
            let name = String(cString: keyword)
            if name == "password", let v = p.pointee.val, v.pointee != 0 {
                return "carries a password; remove it and let PostgreSQL supply it from PGPASSWORD, ~/.pgpass or a service file (PGSERVICE)"
            }
            // The passphrase of the client's SSL key is a credential too.
            if name == "sslpassword", let v = p.pointee.val, v.pointee != 0 {
                return "carries a password (sslpassword, the passphrase of the client key); remove it and put it in a service file (PGSERVICE) "
                    + "or use a client key that needs none, readable by this user only"
            }
            p += 1
        }
        return nil
    }

    /// `text` with anything that looks like a password replaced by `***`: a `password=` value and
    /// the password of a URI's `user:password@` (up to the authority's last `@`, so that an `@`
    /// in the password is hidden too).
    static func redacted(_ text: String) -> String {
        var out = text
        for pattern in [#"(?i)(password\s*=\s*)('([^'\\]|\\.)*'|\S+)"#, #"(://[^:/@\s]*:)[^/\s]*@"#, #"(://[^:/@\s]*:)[^@\s]*@"#] {
            guard let re = try? NSRegularExpression(pattern: pattern) else { continue }
            let range = NSRange(out.startIndex..., in: out)
            out = re.stringByReplacingMatches(in: out, range: range, withTemplate: pattern.hasPrefix("(?i)") ? "$1***" : "$1***@")
        }
        return out
    }
}
