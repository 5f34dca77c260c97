import ArgumentParser
import Foundation

/// `micrograd`: inspect, check and run programs in the IR text format (`.mgir`).
///
/// Exit codes: 0 success, 1 invalid input (a one-line message on stderr),
/// 2 usage errors (ArgumentParser's 64 mapped to 2, as `moons` does).
@main
struct MicrogradCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "micrograd",
    abstract: "Inspect, check and run micrograd programs (.mgir).",
    discussion: "Exit status: 0 success, 1 invalid input, 2 usage error.",
    subcommands: [Inspect.self, Check.self, Run.self]
  )

  /// Parses the arguments, runs the subcommand and maps errors to exit codes.
  static func main() {
    let command: ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      exitForUsage(error)
    }
    if command is MicrogradCommand {
      // No subcommand: a usage error, not a request for help.
      standardError(helpMessage())
      Foundation.exit(2)
    }
    do {
      var command = command
      try command.run()
    } catch let failure as ToolFailure {
      standardError("micrograd: " + failure.message)
      Foundation.exit(1)
    } catch {
      exitForUsage(error)
    }
  }

  /// Prints ArgumentParser's message for `error` and exits: 0 for help, 2 for usage errors, its own code otherwise.
  static func exitForUsage(_ error: Error) -> Never {
    let code = exitCode(for: error)
    let message = fullMessage(for: error)
    if code == .success {
      if !message.isEmpty { print(message) }
      Foundation.exit(0)
    }
    if !message.isEmpty { standardError(message) }
    Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
  }
}

/// An input the user gave that cannot be used: exits with status 1 and a one-line message.
struct ToolFailure: Error {
  let message: String

  init(_ message: String) {
    // One line, whatever the library's message held.
    self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
  }
}

/// Writes `text` and a newline to standard error.
func standardError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}
