import ArgumentParser
import Foundation
import Micrograd
import MicrogradViz

/// `micrograd-viz`: draws a DOT graph or a compiled program (`.mgir`) as
/// SVG, PNG or DOT, with Graphviz in process.
///
/// Exit codes: 0 success, 1 invalid input (a one-line message on stderr),
/// 2 usage error.
@main
struct VizCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "micrograd-viz",
    abstract: "Draw a DOT graph or a micrograd program (.mgir) as SVG, PNG or DOT.",
    discussion: """
      A .dot or .gv file is rendered as it is. A .mgir file is drawn as a program: an instruction \
      per node, coloured by section, fused kernels as clusters. The drawing options apply to programs.
      Exit status: 0 success, 1 invalid input, 2 usage error.
      """)

  @Argument(help: "The file to draw: .dot, .gv or .mgir.")
  var file: String

  @Option(name: [.short, .customLong("output")], help: "Where to write the picture ('-' for standard output).")
  var output: String = "-"

  @Option(help: "The output format: svg, png or dot. Default: from the output's extension, else svg.")
  var format: OutputFormat?

  @Option(help: "The program section to draw: forward, backward, update or all.")
  var section: VizOptions.Section = .all

  @Option(help: "The direction the graph flows: TB (top to bottom) or LR (left to right).")
  var rankdir: VizOptions.RankDirection = .topToBottom

  @Flag(help: "Draw each fused kernel as one node instead of a cluster of its ops.")
  var collapse = false

  @Flag(inversion: .prefixedNo, help: "Show constants' values.")
  var values = true

  /// Reads, draws and writes; invalid input ends with status 1.
  func run() throws {
    do {
      let text = try Input.read(file)
      let picture = try draw(text)
      if output == "-" {
        FileHandle.standardOutput.write(picture)
      } else {
        try Micrograd.writeAtomically(picture, to: output)
      }
    } catch {
      FileHandle.standardError.write(Data("micrograd-viz: error: \(error)\n".utf8))
      throw ExitCode.failure
    }
  }

  /// The picture of the file's text in the chosen format.
  private func draw(_ text: String) throws -> Data {
    let format = format ?? OutputFormat(path: output)
    if Input.isIR(file) {
      let program = try Input.program(fromIR: text)
      let options = VizOptions(
        section: section, rankDirection: rankdir, collapseFusedKernels: collapse, showValues: values)
      switch format {
      case .svg: return try renderSVG(program, options: options)
      case .png: return try renderPNG(program, options: options)
      case .dot: return Data(MicrogradViz.dot(program, options: options).utf8)
      }
    }
    // DOT written by someone else: laid out apart, in case Graphviz crashes.
    switch format {
    case .svg: return try GraphvizWorker.run(.svg, path: file)
    case .png: return try GraphvizWorker.run(.png, path: file)
    case .dot:
      _ = try GraphvizWorker.run(.check, path: file)
      return Data(text.utf8)
    }
  }

  /// Runs the command; usage errors exit with status 2 rather than
  /// ArgumentParser's 64.
  static func main() {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == GraphvizWorker.flag { GraphvizWorker.serve(Array(arguments.dropFirst())) }
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      if exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
      }
      exit(withError: error)
    }
  }
}

/// What `--format` accepts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case svg, png, dot

  /// The format an output path's extension asks for; SVG by default.
  init(path: String) {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "png": self = .png
    case "dot", "gv": self = .dot
    default: self = .svg
    }
  }
}

extension VizOptions.Section: ExpressibleByArgument {}
extension VizOptions.RankDirection: ExpressibleByArgument {}
