import CGraphviz
import Foundation
import Synchronization

/// The Graphviz library in this process: DOT text in, a laid-out picture out,
/// with no `dot` process started.
///
/// Graphviz keeps global state (the parser, the error channel, the plugin
/// context) and is not thread-safe, so every call into it happens under one
/// process-wide lock, with one context created on first use and never freed
/// (a context made after another was freed reads freed memory in 2.42).
enum Graphviz {
  /// The lock around every call into Graphviz, guarding the one context.
  private static let context = Mutex<OpaquePointer?>(nil)

  /// Lays out `dot` with the `dot` engine and renders it in `format`
  /// (`svg`, `png`, any format the installed plugins know).
  ///
  /// Throws ``VizError/invalidGraph(_:)`` with Graphviz's own messages when
  /// the text does not parse or cannot be laid out.
  static func render(_ dot: String, format: String) throws(VizError) -> Data {
    try context.withLock { context throws(VizError) in
      if context == nil { context = gvContext() }
      guard let gvc = context else { throw VizError.renderFailed("Graphviz could not create its context") }
      return try ErrorChannel.capturing { () throws(VizError) in
        try render(dot, format: format, with: gvc)
      }
    }
  }

  /// Parses `dot` without laying it out; throws Graphviz's syntax error.
  static func check(_ dot: String) throws(VizError) {
    try context.withLock { _ throws(VizError) in
      try ErrorChannel.capturing { () throws(VizError) in
        guard let graph = dot.withCString({ agmemread($0) }) else {
          throw VizError.invalidGraph(ErrorChannel.message(or: "the DOT text does not describe a graph"))
        }
        agclose(graph)
      }
    }
  }

  private static func render(_ dot: String, format: String, with gvc: OpaquePointer) throws(VizError) -> Data {
    guard let graph = dot.withCString({ agmemread($0) }) else {
      throw VizError.invalidGraph(ErrorChannel.message(or: "the DOT text does not describe a graph"))
    }
    defer { agclose(graph) }
    guard gvLayout(gvc, graph, "dot") == 0 else {
      throw VizError.invalidGraph(ErrorChannel.message(or: "Graphviz could not lay out the graph"))
    }
    defer { gvFreeLayout(gvc, graph) }
    var bytes: UnsafeMutablePointer<CChar>?
    var length: UInt32 = 0
    guard gvRenderData(gvc, graph, format, &bytes, &length) == 0, let bytes else {
      throw VizError.renderFailed(ErrorChannel.message(or: "Graphviz could not render format \(format)"))
    }
    defer { gvFreeRenderData(bytes) }
    return Data(bytes: bytes, count: Int(length))
  }
}

/// Graphviz's error messages, caught instead of printed on stderr.
///
/// Graphviz reports errors through one process-wide callback; it is set
/// while a render holds the ``Graphviz`` lock, so the buffer it fills is
/// never touched by two threads at once.
private enum ErrorChannel {
  /// The messages of the current render, in order. Guarded by the Graphviz lock.
  nonisolated(unsafe) private static var messages: [String] = []

  /// Runs `body` with Graphviz's errors and warnings collected.
  static func capturing<T>(_ body: () throws(VizError) -> T) throws(VizError) -> T {
    messages = []
    agreseterrors()
    let previous = agseterrf { text in
      if let text { ErrorChannel.messages.append(String(cString: text)) }
      return 0
    }
    defer {
      agseterrf(previous)
      messages = []
    }
    return try body()
  }

  /// The error messages collected so far as one line, or `fallback` if there
  /// are none (Graphviz does not always say why it failed).
  static func message(or fallback: String) -> String {
    let text = messages.joined()
      .split(whereSeparator: \.isNewline)
      .map { line in
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix("Error: ") ? String(trimmed.dropFirst("Error: ".count)) : trimmed
      }
      .filter { !$0.isEmpty }
      .joined(separator: " ")
    return text.isEmpty ? fallback : text
  }
}
