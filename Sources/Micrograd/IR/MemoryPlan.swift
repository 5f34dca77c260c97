/// Where each value of a program lives: buffers shared by values whose
/// lifetimes do not overlap, as decided by the memory planner.
public struct MemoryPlan: Hashable, Sendable {
  /// The buffer of each value (indexed by ``ValueID``); nil for values the
  /// plan does not place (parameters, state, captured: bound to tensors).
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
