import Foundation
import Micrograd

/// Reading the file to draw.
enum Input {
  /// Why an input file cannot be drawn.
  struct Problem: Error, CustomStringConvertible {
    let description: String
  }

  /// The file's text; any bytes are accepted except NUL (invalid UTF-8 is
  /// replaced, so Graphviz reports it as a syntax error, never crashes).
  static func read(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw Problem(description: "cannot read \(path)")
    }
    if data.contains(0) { throw Problem(description: "\(path) is not a text file (it contains a NUL byte)") }
    return String(decoding: data, as: UTF8.self)
  }

  /// Whether `path` names a micrograd IR file.
  static func isIR(_ path: String) -> Bool {
    URL(fileURLWithPath: path).pathExtension.lowercased() == "mgir"
  }

  /// The program an IR file holds.
  ///
  /// The one place the tool parses IR text: parse and validate, so a
  /// malformed file is a one-line message naming line:column (exit status 1).
  static func program(fromIR text: String) throws -> Program {
    do {
      let parsed = try IRParser.parse(text)
      try validate(parsed.program, lines: parsed.lines)
      return parsed.program
    } catch let error as IRParseError {
      throw Problem(description: error.description)
    } catch let error as IRValidationError {
      throw Problem(description: error.description)
    }
  }
}
