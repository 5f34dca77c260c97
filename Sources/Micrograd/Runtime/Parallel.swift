import Dispatch
import Foundation

/// Splitting a large kernel across the machine's cores.
///
/// Kernels split only across independent outputs (elements of an elementwise
/// result, rows of a reduction), so every output is computed by the same
/// loop in the same order as on one thread: results are bit-identical.
enum Parallel {
  /// Work below this many elements runs on the calling thread: starting
  /// threads costs more than it saves.
  static let minimumElements = 1 << 16

  /// The number of threads a split uses.
  static let threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

  /// Calls `body` on consecutive ranges covering `0..<count`, concurrently
  /// when there are at least two chunks of `minimumChunk` and several cores.
  /// Returns when every range is done.
  static func forRange(_ count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
    let chunks = min(threadCount, count / max(minimumChunk, 1))
    guard chunks > 1 else {
      if count > 0 { body(0..<count) }
      return
    }
    // The chunks touch disjoint outputs, and concurrentPerform returns only
    // after all of them: sharing the non-Sendable body is safe here.
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let work = body
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        work(count * chunk / chunks..<count * (chunk + 1) / chunks)
      }
    }
  }
}
