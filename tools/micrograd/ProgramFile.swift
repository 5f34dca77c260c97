import ArgumentParser
import Foundation
import Micrograd

/// The `.mgir` file every subcommand reads.
struct ProgramOptions: ParsableArguments {
  @Argument(help: "A program in the IR text format (.mgir).")
  var file: String

  /// Reads and parses the file (not validated yet).
  func parse() throws(ToolFailure) -> ParsedProgram {
    let text = try readText(file)
    do {
      return try IRParser.parse(text)
    } catch {
      throw ToolFailure("\(file):\(error.description)")
    }
  }

  /// Reads, parses and validates the file within `limits`.
  func load(limits: IRValidationLimits = IRValidationLimits()) throws(ToolFailure) -> ParsedProgram {
    let parsed = try parse()
    do {
      try Micrograd.validate(parsed.program, lines: parsed.lines, limits: limits)
    } catch {
      throw ToolFailure("\(file): \(error.description)")
    }
    return parsed
  }
}

/// The contents of `path` as UTF-8 text.
func readText(_ path: String) throws(ToolFailure) -> String {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
    throw ToolFailure("\(path): no such file")
  }
  guard !isDirectory.boolValue else { throw ToolFailure("\(path): is a directory") }
  guard let data = FileManager.default.contents(atPath: path) else { throw ToolFailure("\(path): cannot read") }
  guard let text = String(data: data, encoding: .utf8) else { throw ToolFailure("\(path): not UTF-8 text") }
  return text
}
