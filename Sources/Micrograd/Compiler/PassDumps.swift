import Foundation

/// The program after one stage of compilation: lowering, or a pass.
public struct PassDump: Hashable, Sendable {
  /// The stage's name: `lowering`, then each pass's (`elementwise-fusion`, …).
  public var pass: String
  /// The program after the stage.
  public var program: Program

  /// The program as IR text.
  public var text: String { program.text() }
}

/// Seeing the program after every pass: collected for
/// ``CompiledFunction/passDumps(for:)``, or written as files
/// `NN-pass.mgir` under `$MICROGRAD_DUMP_DIR/compile-K/` for every
/// compilation of the process when that variable is set.
enum PassDumps {
  /// The environment variable naming the directory to write dumps to.
  static let directoryVariable = "MICROGRAD_DUMP_DIR"

  /// The collector of the compilations run in this task, if any.
  @TaskLocal static var collector: Collector?

  /// Collects the dumps of one compilation.
  final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [PassDump] = []

    func add(_ dump: PassDump) {
      lock.withLock { collected.append(dump) }
    }

    var dumps: [PassDump] { lock.withLock { collected } }
  }

  /// `observe` joined by the task's collector and the dump directory, for
  /// one compilation.
  static func observer(adding observe: ((String, Program) -> Void)?) -> ((String, Program) -> Void)? {
    let collector = collector
    let directory = ProcessInfo.processInfo.environment[directoryVariable].flatMap { $0.isEmpty ? nil : $0 }
      .map { $0 + "/compile-\(compilations.next())" }
    if observe == nil && collector == nil && directory == nil { return nil }
    var stage = 0
    return { pass, program in
      observe?(pass, program)
      collector?.add(PassDump(pass: pass, program: program))
      if let directory { write(program, pass: pass, stage: stage, to: directory) }
      stage += 1
    }
  }

  /// Writes `NN-pass.mgir`; a failure is reported on standard error once
  /// per file, never stopping the compilation.
  private static func write(_ program: Program, pass: String, stage: Int, to directory: String) {
    let name = (stage < 10 ? "0" : "") + "\(stage)-\(pass).mgir"
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try program.text().write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    } catch {
      FileHandle.standardError.write(Data("micrograd: cannot write \(directory)/\(name): \(error)\n".utf8))
    }
  }

  /// Numbers the compilations of the process, from 1.
  private static let compilations = Counter()

  private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func next() -> Int {
      lock.withLock {
        count += 1
        return count
      }
    }
  }
}
