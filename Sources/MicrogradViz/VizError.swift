/// Why a picture could not be made or saved.
public enum VizError: Error, CustomStringConvertible, Equatable {
  /// The DOT text does not parse or cannot be laid out; Graphviz's message.
  case invalidGraph(String)
  /// Graphviz laid the graph out but could not render it (an unknown format).
  case renderFailed(String)
  /// The picture could not be written to `path`.
  case writeFailed(path: String, reason: String)

  public var description: String {
    switch self {
    case .invalidGraph(let message): "invalid graph: \(message)"
    case .renderFailed(let message): "cannot render: \(message)"
    case .writeFailed(let path, let reason): "cannot write \(path): \(reason)"
    }
  }
}
