import Foundation
import Testing

@testable import Micrograd

/// Saves are atomic: a process killed while writing weights leaves the
/// previous file whole and loadable.
@Suite(.serialized) struct AtomicSaveTests {
  /// Parameters big enough that a save takes many write calls.
  static func bigModel(seed: UInt64) -> MLP {
    var generator = RandomGenerator(seed: seed)
    return MLP(256, [512, 256, 1], generator: &generator)
  }

  /// The child is killed by SIGKILL between two chunks of its write: the
  /// temporary file is half written, the target not yet replaced.
  @Test func aKillBetweenTwoChunksLeavesThePreviousFile() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.file("weights.safetensors")
    let old = Self.bigModel(seed: 1)
    try old.saveParameters(to: path)
    let oldBytes = try readFileContents(path)

    await #expect(processExitsWith: .signal(SIGKILL)) { [path = path as String] in
      let data = try safeTensorsData(
        Dictionary(
          uniqueKeysWithValues: AtomicSaveTests.bigModel(seed: 2).namedParameters().map { ($0.name, $0.parameter) }))
      var writes = 0
      try writeAtomically(data, to: path, chunk: 1 << 16) { step in
        if step == .write {
          writes += 1
          if writes == 5 { kill(getpid(), SIGKILL) }
        }
        return nil
      }
    }
    #expect(try readFileContents(path) == oldBytes)
    let loaded = Self.bigModel(seed: 3)
    try loaded.loadParameters(from: path)
    #expect(loaded.parameters().map(\.scalars) == old.parameters().map(\.scalars))
  }

  /// A real kill at an unknown moment: a child process (this test binary,
  /// running ``saveLoopChild()``) saves two models in turn, over and over;
  /// the parent kills it with SIGKILL and the file must be one whole save.
  @Test func aKillAtAnyMomentLeavesAWholeFile() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.file("weights.safetensors")
    let versions = [Self.bigModel(seed: 1), Self.bigModel(seed: 2)].map { $0.parameters().map(\.scalars) }
    try Self.bigModel(seed: 1).saveParameters(to: path)
    var generator = RandomGenerator(seed: 11)
    for round in 0..<3 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
      process.arguments = ["--testing-library", "swift-testing", "--filter", "saveLoopChild"]
      process.environment = ProcessInfo.processInfo.environment.merging([Self.childVariable: path]) { $1 }
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      // Wait for the child's first save to land, then kill it at a random point in a later one.
      let start = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
      let deadline = Date().addingTimeInterval(120)
      while (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) == start,
        Date() < deadline, process.isRunning
      {
        usleep(5_000)
      }
      usleep(UInt32(Tensor.uniform([1], low: 50_000, high: 400_000, generator: &generator).item()))
      #expect(process.isRunning, "round \(round): the child stopped by itself")
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      #expect(process.terminationReason == .uncaughtSignal)
      let loaded = Self.bigModel(seed: 3)
      try loaded.loadParameters(from: path)
      let values = loaded.parameters().map(\.scalars)
      #expect(versions.contains(values), "round \(round): the file is neither save")
    }
  }

  static let childVariable = "MICROGRAD_SAVE_LOOP_PATH"

  /// The child of ``aKillAtAnyMomentLeavesAWholeFile()``: saves until killed.
  /// Does nothing unless started by that test.
  @Test(.enabled(if: ProcessInfo.processInfo.environment[childVariable] != nil))
  func saveLoopChild() throws {
    let path = try #require(ProcessInfo.processInfo.environment[Self.childVariable])
    let models = [Self.bigModel(seed: 1), Self.bigModel(seed: 2)]
    for k in 0..<100_000 { try models[(k + 1) % 2].saveParameters(to: path) }
  }
}
