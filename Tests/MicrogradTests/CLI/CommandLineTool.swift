import Foundation
import Testing

/// Runs a built executable (beside the test bundle: `swift build --build-tests` builds every product into the same
/// folder) as a user would, capturing what it prints and its exit status.
struct CommandLineTool {
  let name: String

  /// What one run printed, and how it ended.
  struct Result {
    var status: Int32
    var output: String
    var error: String
  }

  var url: URL? {
    let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    let url = folder.appendingPathComponent(name)
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
  }

  func run(_ arguments: [String]) throws -> Result {
    let process = Process()
    let executable = try #require(url, "\(name) not built; run swift build --build-tests")
    process.executableURL = executable
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    // Standard error goes to a file, so that neither stream can fill up while the other is read.
    let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID())").path
    try #require(FileManager.default.createFile(atPath: errorPath, contents: nil))
    defer { try? FileManager.default.removeItem(atPath: errorPath) }
    let error = try #require(FileHandle(forWritingAtPath: errorPath))
    process.standardError = error
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try error.close()
    let errorData = FileManager.default.contents(atPath: errorPath) ?? Data()
    return Result(
      status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
      error: String(decoding: errorData, as: UTF8.self))
  }
}

/// A fresh temporary folder, removed by `remove()`.
struct TemporaryFolder {
  let path: String

  init() throws {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("micrograd-cli-\(UUID())").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> String { path + "/" + name }

  /// Writes `text` to `name` in the folder and returns its path.
  @discardableResult
  func write(_ text: String, to name: String) throws -> String {
    try text.write(toFile: file(name), atomically: true, encoding: .utf8)
    return file(name)
  }

  func remove() { try? FileManager.default.removeItem(atPath: path) }
}
