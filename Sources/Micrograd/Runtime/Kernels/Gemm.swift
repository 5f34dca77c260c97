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
}
