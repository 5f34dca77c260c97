/// A block of float32 memory owned by one or more tensors (``Tensor/detach()``
/// shares it), 64-byte aligned for SIMD loads.
final class Storage: @unchecked Sendable {
  /// The first element.
  let base: UnsafeMutablePointer<Float>
  /// The number of elements.
  let count: Int

  /// Allocates `count` elements, uninitialised.
  init(count: Int) {
    self.count = count
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
    base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
  }

  /// Allocates and copies `values`.
  convenience init(_ values: [Float]) {
    self.init(count: values.count)
    values.withUnsafeBufferPointer { source in
      if let address = source.baseAddress { base.update(from: address, count: count) }
    }
  }

  /// Allocates `count` copies of `value`.
  convenience init(repeating value: Float, count: Int) {
    self.init(count: count)
    base.update(repeating: value, count: count)
  }

  /// The empty storage shared by all symbolic tensors.
  static let placeholder = Storage(count: 0)

  deinit { UnsafeMutableRawPointer(base).deallocate() }

  /// The elements as a Swift array (a copy).
  var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
