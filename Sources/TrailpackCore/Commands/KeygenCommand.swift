import Foundation

/// The key pair `trailpack keygen` wrote.
public struct KeygenResult: Sendable, Equatable {
    /// The key name (`keys/<name>.pem` in a pack source).
    public var name: String
    /// `DIR/NAME.key`: the PKCS#8 PEM private key, mode 0600.
    public var privateKeyPath: String
    /// `DIR/NAME.pem`: the SubjectPublicKeyInfo PEM public key.
    public var publicKeyPath: String
    /// Lowercase hex SHA-256 of the raw 32-byte public key (what a trust list holds).
    public var fingerprint: String
}

/// What `trailpack keygen --dry-run` would write, after every check the real command makes.
public struct KeygenPlan: Sendable, Equatable {
    /// The key name.
    public var name: String
    /// `DIR/NAME.key`, the private key it would create (mode 0600).
    public var privateKeyPath: String
    /// `DIR/NAME.pem`, the public key it would create.
    public var publicKeyPath: String
    /// The folders it would create first (mode 0700), outermost first; empty when DIR exists.
    public var foldersCreated: [String]
}

extension Trailpack {
    /// `trailpack keygen --dry-run`: every check ``keygen(name:outDirectory:)`` makes (the name,
    /// DIR a folder or creatable, the two files not there, not even as a dangling link), in the
    /// same order and with the same errors; nothing is created, not even DIR, and no key is made.
    public static func keygenPlan(name: String, outDirectory: String) throws(RecordError) -> KeygenPlan {
        guard Keyring.isValidName(name) else { throw .invalidKeyName(name) }
        try checkOutsidePublishedFolders(outDirectory)
        guard let missing = FileProblem.foldersToCreate(outDirectory) else {
            throw .cannotCreate(outDirectory, reason: FileProblem.writing(outDirectory, fix: "choose another --out folder"))
        }
        let (keyPath, pemPath) = keyPaths(name, outDirectory)
        if missing.isEmpty {
            try checkAbsent(keyPath, pemPath)
            // The real command's first file would fail to be created (as `open` would say it).
            if access(outDirectory, W_OK | X_OK) != 0 { throw .cannotCreate(keyPath, reason: SystemCallFailure("open", keyPath).reason) }
        }
        return KeygenPlan(name: name, privateKeyPath: keyPath, publicKeyPath: pemPath, foldersCreated: missing)
    }

    /// Refuses files that exist already, even as a dangling link: keygen never overwrites.
    static func checkAbsent(_ paths: String...) throws(RecordError) {
        for path in paths {
            var st = stat()
            if lstat(path, &st) == 0 { throw .fileExists(path) }
        }
    }

    /// Refuses an `--out` folder inside a folder of a pack source that sites publish
    /// (``Evidence/folders``: `keys/`, `docs/`, ...): a private key there would be copied into
    /// every site's evidence (the build refuses it too, ``EvidenceError/privateKey(_:)``).
    static func checkOutsidePublishedFolders(_ outDirectory: String) throws(RecordError) {
        var path = URL(fileURLWithPath: outDirectory).standardizedFileURL.path
        // Links resolved where the path exists; the missing rest is appended as given.
        var rest: [String] = []
        while ArtifactChecker.realPath(path) == nil, path != "/" {
            rest.insert((path as NSString).lastPathComponent, at: 0)
            path = (path as NSString).deletingLastPathComponent
        }
        let real = ((ArtifactChecker.realPath(path) ?? path) as NSString).appendingPathComponent(rest.joined(separator: "/"))
        var components = (real as NSString).pathComponents
        var inside: [String] = []
        while components.count > 1 {
            let folder = NSString.path(withComponents: components)
            var st = stat()
            if let first = inside.first, Evidence.folders.contains(first),
               stat((folder as NSString).appendingPathComponent(Config.fileName), &st) == 0, st.st_mode & S_IFMT == S_IFREG {
                throw .privateKeyWouldBePublished(outDirectory, folder: (folder as NSString).appendingPathComponent(first) + "/")
            }
            inside.insert(components.removeLast(), at: 0)
        }
    }

    /// `DIR/NAME.key` and `DIR/NAME.pem`.
    static func keyPaths(_ name: String, _ outDirectory: String) -> (key: String, pem: String) {
        ((outDirectory as NSString).appendingPathComponent("\(name).key"), (outDirectory as NSString).appendingPathComponent("\(name).pem"))
    }

    /// `trailpack keygen`: a new Ed25519 key pair as `outDirectory/name.key` (private, created with
    /// mode 0600) and `outDirectory/name.pem` (public, as `openssl pkey -pubout` writes it).
    /// Existing files are never overwritten; the folder is created (mode 0700) if missing.
    public static func keygen(name: String, outDirectory: String) throws(RecordError) -> KeygenResult {
        guard Keyring.isValidName(name) else { throw .invalidKeyName(name) }
        try checkOutsidePublishedFolders(outDirectory)
        do {
            // A folder made for private keys is the owner's only.
            try FileManager.default.createDirectory(atPath: outDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotCreate(outDirectory, reason: FileProblem.writing(outDirectory, fix: "choose another --out folder"))
        }
        let (keyPath, pemPath) = keyPaths(name, outDirectory)
        try checkAbsent(keyPath, pemPath)
        let key: Ed25519PrivateKey
        let privatePEM: String
        let publicPEM: String
        do {
            key = try Ed25519PrivateKey.generate()
            privatePEM = try key.pemString
            publicPEM = try key.publicKey.pemString
        } catch {
            throw .cannotCreate(keyPath, reason: error.localizedDescription)
        }
        do throws(SystemCallFailure) {
            try DurableFiles.createExclusive(keyPath, Array(privatePEM.utf8), mode: 0o600)
        } catch {
            throw error.code == EEXIST ? .fileExists(keyPath) : .cannotCreate(keyPath, reason: error.reason)
        }
        do throws(SystemCallFailure) {
            try DurableFiles.createExclusive(pemPath, Array(publicPEM.utf8), mode: 0o644)
            try DurableFiles.syncDirectory(outDirectory)
        } catch {
            unlink(keyPath)
            throw error.code == EEXIST ? .fileExists(pemPath) : .cannotCreate(pemPath, reason: error.reason)
        }
        return KeygenResult(name: name, privateKeyPath: keyPath, publicKeyPath: pemPath, fingerprint: key.publicKey.fingerprint)
    }
}
