import Foundation

/// Reads an MLflow FileStore (`mlruns/`) with its file-based model registry (`mlruns/models/`).
enum MLflowFileStore {
    static func read(path: String) throws(ImportError) -> MLflowSnapshot {
        throw .unsupportedURI("file://\(path)")
    }
}
