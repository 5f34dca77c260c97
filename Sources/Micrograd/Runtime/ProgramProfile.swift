import Dispatch
import Foundation

/// Where a compiled program spends its time: each instruction's mean wall
/// time over several runs, like the operator table of `torch.profiler`.
///
/// ```swift
/// let profile = try step.profile(x, y, runs: 50)
/// print(profile)   // the instructions, slowest first, with their share
/// ```
///
/// Times are wall-clock around each instruction, so an instruction that
/// splits across cores counts once, and the clock reads (about 40 ns each)
/// are included: a program of many tiny instructions reads slower than it
/// runs. A profiled run computes exactly what an ordinary run does.
public struct ProgramProfile: Sendable, CustomStringConvertible {
  /// The program profiled.
  public let program: Program
  /// How many runs the times are the mean of.
  public let runs: Int
  /// Mean seconds per run of each instruction, in program order.
  public let seconds: [Double]

  /// Mean seconds per run of all instructions together.
  public var total: Double { seconds.reduce(0, +) }

  /// The mean seconds per run of the instructions running each operation
  /// (`matmul+fused`, `sgd`), slowest first.
  public var byOperation: [(operation: String, seconds: Double)] {
    var sums: [String: Double] = [:]
    for (instruction, time) in zip(program.instructions, seconds) {
      sums[instruction.operation.name, default: 0] += time
    }
    return sums.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
  }

  /// The table: the share of the total, mean microseconds, and each
  /// instruction as the IR prints it (without notes), slowest first; then
  /// the time per operation.
  public var description: String {
    let total = max(self.total, .leastNonzeroMagnitude)
    let isOutput = Set(program.outputs)
    func row(_ seconds: Double, _ text: String) -> String {
      String(format: "%6.1f%% %10.1f  ", seconds / total * 100, seconds * 1e6) + text
    }
    var lines = [
      "# \(program.instructions.count) instructions, mean of \(runs) runs: "
        + String(format: "%.1f", self.total * 1e6) + " µs",
      "  share    mean µs  instruction",
    ]
    for k in seconds.indices.sorted(by: { seconds[$0] > seconds[$1] }) {
      lines.append(row(seconds[k], program.line(for: program.instructions[k], isOutput: isOutput, notes: false)))
    }
    lines.append("  share    mean µs  operation")
    for (operation, time) in byOperation { lines.append(row(time, operation)) }
    return lines.joined(separator: "\n")
  }
}

extension Interpreter {
  /// Runs the program `runs` times on `inputs`, timing each instruction.
  func profile(_ inputs: [Tensor], runs: Int) throws(CompileError) -> ProgramProfile {
    lock.lock()
    defer { lock.unlock() }
    var totals = [UInt64](repeating: 0, count: steps.count)
    for _ in 0..<max(runs, 1) {
      try bind(inputs)
      steps.withUnsafeBufferPointer { steps in
        for k in steps.indices {
          let start = DispatchTime.now().uptimeNanoseconds
          Interpreter.execute(steps[k])
          totals[k] += DispatchTime.now().uptimeNanoseconds - start
        }
      }
    }
    let count = max(runs, 1)
    return ProgramProfile(program: program, runs: count, seconds: totals.map { Double($0) / 1e9 / Double(count) })
  }
}
