import CBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`.
enum Gemm {
  /// `c = a·b` (or with either operand transposed, read in place), all
  /// row-major: `a` is m×k (k×m when `transposeA`), `b` k×n (n×k when
  /// `transposeB`), `c` m×n. With `accumulate`, adds to `c`.
  static func multiply(
    _ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
    _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, accumulate: Bool = false
  ) {
    guard m > 0 && n > 0 else { return }
    guard k > 0 else {
      if !accumulate { c.update(repeating: 0, count: m * n) }
      return
    }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), 1, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
      accumulate ? 1 : 0, c, Int32(n))
  }

  /// A stack of products over the last two axes of row-major tensors, the
  /// leading (batch) axes broadcast like numpy's `matmul`. `outShape` is
  /// `batch + [m, n]`.
  static func batched(
    _ a: UnsafePointer<Float>, _ aShape: Shape, _ transposeA: Bool, _ b: UnsafePointer<Float>, _ bShape: Shape,
    _ transposeB: Bool, _ out: UnsafeMutablePointer<Float>, _ outShape: Shape
  ) {
    let (m, n) = (outShape[outShape.rank - 2], outShape[outShape.rank - 1])
    let k = transposeA ? aShape[aShape.rank - 2] : aShape[aShape.rank - 1]
    let batch = Shape(Array(outShape.dims.dropLast(2)))
    if batch.count == 1 && aShape.rank == 2 && bShape.rank == 2 {
      multiply(a, transposeA: transposeA, b, transposeB: transposeB, out, m: m, n: n, k: k)
      return
    }
    let aStrides = Shape(Array(aShape.dims.dropLast(2))).broadcastStrides(to: batch)
    let bStrides = Shape(Array(bShape.dims.dropLast(2))).broadcastStrides(to: batch)
    let batchStrides = batch.strides
    for index in 0..<batch.count {
      var aOffset = 0
      var bOffset = 0
      for axis in 0..<batch.rank {
        let i = (index / batchStrides[axis]) % batch[axis]
        aOffset += i * aStrides[axis]
        bOffset += i * bStrides[axis]
      }
      multiply(
        a + aOffset * m * k, transposeA: transposeA, b + bOffset * k * n, transposeB: transposeB,
        out + index * m * n, m: m, n: n, k: k)
    }
  }
}
