import ArgumentParser
import Micrograd

/// `micrograd check FILE.mgir`: parses and validates a program.
struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Parse and validate a program; print 'ok: N instructions' or the first error with its line.")

  @OptionGroup var program: ProgramOptions

  func run() throws {
    let parsed = try program.load()
    let count = parsed.program.instructions.count
    print("ok: \(count) instruction\(count == 1 ? "" : "s")")
  }
}
