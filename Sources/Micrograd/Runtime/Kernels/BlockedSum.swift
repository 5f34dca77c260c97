/// The order every sum kernel adds in, so that a fused reduction, the
/// stored-tensor reduction and eager mode agree bit for bit, while the adds
/// run on SIMD lanes and a long sum splits across cores.
///
/// A *run* is a longest stretch of consecutive input elements (in row-major
/// order) that go into one output: a row when trailing axes are reduced, the
/// whole tensor when everything is, single elements when the last axis is
/// kept. A run is cut into blocks of ``blockLength``
/// elements, counted from its start. In a block, element `i` goes to lane
/// `i % 16` (each lane adding its elements in order, from 0), and the 16
/// lanes are then added pairwise (lane `l` and `l + 8`, then `l + 4`, `l + 2`,
/// `l + 1`). The output adds its runs' blocks in order, starting from 0.
///
/// Against one running total this is both faster (16 independent adds
/// instead of one chain) and more accurate: a run of 2^25 ones sums to 2^25
/// here, where one float running total stops at 2^24. Blocks are what a long
/// run splits on: each core sums whole blocks, and the block sums are added
/// in order at the end.
enum BlockedSum {
  /// Elements per block; a multiple of ``FusedEvaluator/blockSize``, so a
  /// fused kernel's blocks never straddle two.
  static let blockLength = 4096

  /// The sum of one block (at most ``blockLength`` elements).
  @inline(__always)
  static func block(_ values: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = Lanes()
    lanes.add(values, count, at: 0)
    return lanes.total
  }

  /// `total` plus the blocks of the run `values[0..<count]`, in order.
  @inline(__always)
  static func run(_ values: UnsafePointer<Float>, _ count: Int, onto total: Float) -> Float {
    var total = total
    var start = 0
    while start < count {
      let length = min(blockLength, count - start)
      total += block(values + start, length)
      start += length
    }
    return total
  }

  /// The 16 running lane sums of one block.
  struct Lanes {
    var sums = SIMD16<Float>()

    /// Adds `values[0..<count]` as the block's elements `position…`.
    @inline(__always)
    mutating func add(_ values: UnsafePointer<Float>, _ count: Int, at position: Int) {
      var i = 0
      if position % 16 == 0 {
        let raw = UnsafeRawPointer(values)
        while i + 16 <= count {
          sums += raw.loadUnaligned(fromByteOffset: i * MemoryLayout<Float>.stride, as: SIMD16<Float>.self)
          i += 16
        }
      }
      while i < count {
        sums[(position + i) % 16] += values[i]
        i += 1
      }
    }

    /// The lanes added pairwise.
    var total: Float {
      let eight = sums.lowHalf + sums.highHalf
      let four = eight.lowHalf + eight.highHalf
      let two = four.lowHalf + four.highHalf
      return two[0] + two[1]
    }
  }
}
