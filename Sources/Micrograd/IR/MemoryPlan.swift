/// Where each value of a program lives: buffers shared by values whose
/// lifetimes do not overlap, as decided by the memory planner.
public struct MemoryPlan: Hashable, Sendable {
  /// The buffer of each value (indexed by ``ValueID``); nil for values the
  /// plan does not place (parameters, state, captured: bound to tensors;
  /// inputs and constants: a buffer of their own).
  public var buffer: [Int?]
  /// The size of each buffer, in elements.
  public var bufferSizes: [Int]
  /// Bytes of all planned buffers together.
  public var peakBytes: Int
  /// Bytes if every planned value had a buffer of its own.
  public var naiveBytes: Int

  /// Creates a plan.
  public init(buffer: [Int?], bufferSizes: [Int], peakBytes: Int, naiveBytes: Int) {
    self.buffer = buffer
    self.bufferSizes = bufferSizes
    self.peakBytes = peakBytes
    self.naiveBytes = naiveBytes
  }
}

extension MemoryPlan {
  /// `# buffers: 7, peak 41.3 KiB (naive 212.0 KiB)`: the line printed under a program.
  public var summary: String {
    let (peak, naive) = (MemoryPlan.kibibytes(peakBytes), MemoryPlan.kibibytes(naiveBytes))
    return "# buffers: \(bufferSizes.count), peak \(peak) KiB (naive \(naive) KiB)"
  }

  /// `bytes` in KiB with one decimal, rounded to nearest.
  static func kibibytes(_ bytes: Int) -> String {
    let tenths = (bytes * 10 + 512) / 1024
    return "\(tenths / 10).\(tenths % 10)"
  }
}
