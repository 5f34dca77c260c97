import Dispatch
import Foundation

/// Splitting a large kernel across the machine's cores.
///
/// Kernels split only across independent outputs (elements of an elementwise
/// result, rows of a reduction), so every output is computed by the same
/// loop in the same order as on one thread: results are bit-identical.
///
/// A split allocates nothing, so neither do the interpreter's runs: the
/// chunks run on threads started once and parked on semaphores, and the
/// work is a C function pointer with a context on the caller's stack
/// (`DispatchQueue.concurrentPerform` allocates four or five blocks a call,
/// and passing a Swift closure to another thread one).
enum Parallel {
  /// Work below this many elements runs on the calling thread: waking
  /// threads costs more than it saves.
  static let minimumElements = 1 << 16

  /// The number of threads a split uses, the caller's included.
  static let threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

  /// One chunk of work: elements `start..<end`, reading what it needs from
  /// `context` (a pointer to the `context` value given to ``forRange``).
  typealias Chunk = @convention(c) (_ context: UnsafeRawPointer, _ start: Int, _ end: Int) -> Void

  /// Calls `body` on consecutive ranges covering `0..<count`, concurrently
  /// when there are at least two chunks of `minimumChunk` and several cores.
  /// Returns when every range is done.
  ///
  /// A call made while another split is running (from one of its chunks, or
  /// from another thread) runs on its own thread, in one range.
  static func forRange<Context>(_ count: Int, minimumChunk: Int, context: Context, _ body: Chunk) {
    let chunks = min(threadCount, count / max(minimumChunk, 1))
    withUnsafePointer(to: context) { context in
      let context = UnsafeRawPointer(context)
      if chunks > 1 && WorkerPool.shared.run(chunks: chunks, count: count, context: context, body) { return }
      if count > 0 { body(context, 0, count) }
    }
  }
}

/// Threads that each run one chunk of a job, then wait for the next.
final class WorkerPool: @unchecked Sendable {
  /// One worker per core beyond the caller's.
  static let shared: WorkerPool = {
    let pool = WorkerPool(workers: Parallel.threadCount - 1)
    pool.startThreads()
    return pool
  }()

  /// Held for the length of a job; a caller that cannot take it runs alone.
  private let busy = NSLock()
  /// One semaphore per worker, signalled to start it on the current job.
  private let start: [DispatchSemaphore]
  /// Signalled by each worker when its chunk is done.
  private let done = DispatchSemaphore(value: 0)
  // The current job, valid between the start signals and the done waits.
  private var body: Parallel.Chunk?
  private var context: UnsafeRawPointer?
  private var count = 0
  private var chunks = 0

  private init(workers: Int) {
    start = (0..<workers).map { _ in DispatchSemaphore(value: 0) }
  }

  private func startThreads() {
    for worker in start.indices {
      let thread = Thread { [self] in
        while true {
          start[worker].wait()
          runChunk(worker + 1)
          done.signal()
        }
      }
      thread.name = "micrograd-worker-\(worker + 1)"
      thread.start()
    }
  }

  private func runChunk(_ chunk: Int) {
    body!(context!, count * chunk / chunks, count * (chunk + 1) / chunks)
  }

  /// Runs chunk 0 of `body` over `0..<count` on the calling thread and
  /// chunks 1..<`chunks` on workers, returning when all are done; false
  /// (nothing run) when the pool is in use or has too few workers.
  func run(chunks: Int, count: Int, context: UnsafeRawPointer, _ body: Parallel.Chunk) -> Bool {
    guard chunks - 1 <= start.count, busy.try() else { return false }
    defer { busy.unlock() }
    (self.body, self.context, self.count, self.chunks) = (body, context, count, chunks)
    for worker in 0..<chunks - 1 { start[worker].signal() }
    runChunk(0)
    for _ in 0..<chunks - 1 { done.wait() }
    (self.body, self.context) = (nil, nil)
    return true
  }
}
