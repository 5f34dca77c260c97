import CBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`.
enum Gemm {
  /// `c = scale·a·b` (or with either operand transposed, read in place),
  /// all row-major: `a` is m×k (k×m when `transposeA`), `b` k×n (n×k when
  /// `transposeB`), `c` m×n. With `accumulate`, adds to `c`.
  static func multiply(
    _ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
    _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, scale: Float = 1, accumulate: Bool = false
  ) {
    guard m > 0 && n > 0 else { return }
    guard k > 0 else {
      if !accumulate { c.update(repeating: 0, count: m * n) }
      return
    }
    if n == 1 {
      // A matrix-vector product (b is one contiguous column either way).
      // OpenBLAS's sgemm allocates on every call with n = 1; sgemv does not.
      cblas_sgemv(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, Int32(transposeA ? k : m), Int32(transposeA ? m : k),
        scale, a, Int32(transposeA ? m : k), b, 1, accumulate ? 1 : 0, c, 1)
      return
    }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), scale, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
      accumulate ? 1 : 0, c, Int32(n))
  }

  /// A batched product worked out once: sizes and each product's operand offsets.
  struct BatchPlan: Hashable, Sendable {
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    /// Per product of the batch, the element offsets of its `a` and `b` matrices.
    let aOffsets: [Int], bOffsets: [Int]

    /// The plan for `op(a)·op(b)` of operands shaped `aShape`, `bShape` into `outShape`.
    init(_ aShape: Shape, transposeA: Bool, _ bShape: Shape, transposeB: Bool, _ outShape: Shape) {
      (self.transposeA, self.transposeB) = (transposeA, transposeB)
      (m, n) = (outShape[outShape.rank - 2], outShape[outShape.rank - 1])
      k = transposeA ? aShape[aShape.rank - 2] : aShape[aShape.rank - 1]
      let batch = Shape(Array(outShape.dims.dropLast(2)))
      let aStrides = Shape(Array(aShape.dims.dropLast(2))).broadcastStrides(to: batch)
      let bStrides = Shape(Array(bShape.dims.dropLast(2))).broadcastStrides(to: batch)
      let batchStrides = batch.strides
      var aOffsets: [Int] = []
      var bOffsets: [Int] = []
      for index in 0..<batch.count {
        var aOffset = 0
        var bOffset = 0
        for axis in 0..<batch.rank {
          let i = (index / batchStrides[axis]) % batch[axis]
          aOffset += i * aStrides[axis]
          bOffset += i * bStrides[axis]
        }
        aOffsets.append(aOffset * m * k)
        bOffsets.append(bOffset * k * n)
      }
      (self.aOffsets, self.bOffsets) = (aOffsets, bOffsets)
    }
  }

  /// A stack of products over the last two axes of row-major tensors, the
  /// leading (batch) axes broadcast like numpy's `matmul`. `outShape` is
  /// `batch + [m, n]`.
  static func batched(
    _ a: UnsafePointer<Float>, _ aShape: Shape, _ transposeA: Bool, _ b: UnsafePointer<Float>, _ bShape: Shape,
    _ transposeB: Bool, _ out: UnsafeMutablePointer<Float>, _ outShape: Shape
  ) {
    batched(a, b, out, BatchPlan(aShape, transposeA: transposeA, bShape, transposeB: transposeB, outShape))
  }

  /// The batched product as `plan` says.
  static func batched(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ plan: BatchPlan
  ) {
    let (m, n, k) = (plan.m, plan.n, plan.k)
    for index in plan.aOffsets.indices {
      multiply(
        a + plan.aOffsets[index], transposeA: plan.transposeA, b + plan.bOffsets[index], transposeB: plan.transposeB,
        out + index * m * n, m: m, n: n, k: k)
    }
  }
}
