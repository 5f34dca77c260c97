import Foundation
import MicrogradViz

/// Renders a user's DOT file in a child process running this same binary,
/// so that a Graphviz crash ends the child, not the tool.
///
/// Graphviz 2.4x aborts on some valid graphs (a labelled edge between nodes
/// of one rank in a graph with clusters frees memory twice); the tool must
/// answer every input with exit status 0 or 1, so the layout of text it did
/// not write runs apart. This is not a `dot` process: the child is the tool
/// itself, rendering in process as the library does.
enum GraphvizWorker {
  /// The first argument that makes the binary a worker.
  static let flag = "--graphviz-worker"

  /// What the child does.
  enum Task: String {
    case svg, png, check
  }

  /// Renders (or only checks) the DOT file at `path` in a child process.
  static func run(_ task: Task, path: String) throws -> Data {
    let process = Process()
    process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe")
    process.arguments = [flag, task.rawValue, path]
    var environment = ProcessInfo.processInfo.environment
    environment["SWIFT_BACKTRACE"] = "enable=no"
    process.environment = environment
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // The child writes its picture, then at most a line of error: reading
    // the output to its end first cannot block the child.
    let picture = output.fileHandleForReading.readDataToEndOfFile()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    if process.terminationReason == .uncaughtSignal {
      throw Input.Problem(
        description: "Graphviz crashed while laying out the graph (signal \(process.terminationStatus))")
    }
    guard process.terminationStatus == 0 else {
      let line = message.split(whereSeparator: \.isNewline).first.map(String.init)
      throw Input.Problem(description: line ?? "Graphviz failed (status \(process.terminationStatus))")
    }
    return picture
  }

  /// The child's side: `--graphviz-worker TASK PATH`; renders the file to
  /// standard output and exits 0, or prints the error and exits 1.
  static func serve(_ arguments: [String]) -> Never {
    guard arguments.count == 2, let task = Task(rawValue: arguments[0]) else {
      FileHandle.standardError.write(Data("usage: \(flag) svg|png|check PATH\n".utf8))
      exit(2)
    }
    do {
      let text = try Input.read(arguments[1])
      switch task {
      case .svg: FileHandle.standardOutput.write(try render(dot: text, format: .svg))
      case .png: FileHandle.standardOutput.write(try render(dot: text, format: .png))
      case .check: try checkDOT(text)
      }
      exit(0)
    } catch {
      FileHandle.standardError.write(Data("\(error)\n".utf8))
      exit(1)
    }
  }
}
