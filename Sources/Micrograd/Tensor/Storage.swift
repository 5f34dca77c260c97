import Foundation

/// A block of float32 memory owned by one or more tensors (``Tensor/detach()``
/// shares it), 64-byte aligned for SIMD loads.
///
/// Blocks of a megabyte or more come from ``LargeBlocks``: recycled when
/// freed, and backed by huge pages when new.
final class Storage: @unchecked Sendable {
  /// The first element.
  let base: UnsafeMutablePointer<Float>
  /// The number of elements.
  let count: Int

  /// Allocates `count` elements, uninitialised. A small block takes
  /// `malloc`'s own 16-byte alignment: asking for more sends every eager
  /// op's output through `memalign`, several times slower (the kernels load
  /// unaligned).
  init(count: Int) {
    self.count = count
    let byteCount = max(count, 1) * MemoryLayout<Float>.stride
    let raw =
      byteCount >= LargeBlocks.smallest
      ? LargeBlocks.take(byteCount) : UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 16)
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

  deinit {
    let byteCount = max(count, 1) * MemoryLayout<Float>.stride
    if byteCount >= LargeBlocks.smallest {
      LargeBlocks.give(UnsafeMutableRawPointer(base), byteCount)
    } else {
      UnsafeMutableRawPointer(base).deallocate()
    }
  }

  /// The elements as a Swift array (a copy).
  var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }
}

/// Large blocks of memory, recycled.
///
/// Fresh memory is expensive: a new 64 MiB block costs about 26 ms of page
/// faults on first touch with 4 KiB pages (more than a pass of arithmetic
/// over it), about 4 ms with huge pages. So a new large block is 2 MiB
/// aligned and asks for huge pages (`madvise(MADV_HUGEPAGE)`, honoured when
/// transparent huge pages are `madvise` or `always`), and a freed one is kept,
/// up to ``cacheLimit`` bytes in all, for the next request of the same size:
/// eager ops on large tensors and the interpreter's large outputs reuse warm
/// memory instead of faulting in new pages every call.
enum LargeBlocks {
  /// Blocks of at least this many bytes are recycled.
  static let smallest = 1 << 20
  /// The most bytes kept for reuse; past it, freed blocks go back to the system.
  static let cacheLimit = 512 << 20
  private static let hugePage = 2 << 20

  private static let lock = NSLock()
  nonisolated(unsafe) private static var kept: [Int: [UnsafeMutableRawPointer]] = [:]
  nonisolated(unsafe) private static var keptBytes = 0

  /// A block of `byteCount` bytes: a kept one when there is one, else a new one.
  static func take(_ byteCount: Int) -> UnsafeMutableRawPointer {
    lock.lock()
    if let block = kept[byteCount]?.popLast() {
      keptBytes -= byteCount
      lock.unlock()
      return block
    }
    lock.unlock()
    let block = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: hugePage)
    _ = madvise(block, (byteCount + 4095) & ~4095, Int32(MADV_HUGEPAGE))
    return block
  }

  /// Takes back a block from ``take(_:)``: kept for reuse, or freed when the cache is full.
  static func give(_ block: UnsafeMutableRawPointer, _ byteCount: Int) {
    lock.lock()
    if keptBytes + byteCount <= cacheLimit {
      kept[byteCount, default: []].append(block)
      keptBytes += byteCount
      lock.unlock()
      return
    }
    lock.unlock()
    block.deallocate()
  }
}
