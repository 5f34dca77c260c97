/// Kernels for embedding tables: rows gathered by index, and the adjoint
/// that adds rows back into a table-shaped gradient.
extension Elementwise {
  /// Whether `index` is an integer in `0..<rows`.
  static func isValidRow(_ index: Float, rows: Int) -> Bool {
    index >= 0 && index < Float(rows) && index.rounded(.towardZero) == index
  }

  /// Writes row `indices[i]` of `table` (`rows` rows of `width` values) as
  /// row `i` of `out`, for `count` indices.
  ///
  /// An index that is not an integer in `0..<rows` gets a row of NaN; the
  /// position of the first such index is returned (nil when all are valid).
  static func embedding(
    _ indices: UnsafePointer<Float>, count: Int, _ table: UnsafePointer<Float>, rows: Int, width: Int,
    _ out: UnsafeMutablePointer<Float>
  ) -> Int? {
    var firstInvalid: Int?
    for i in 0..<count {
      let index = indices[i]
      guard isValidRow(index, rows: rows) else {
        if firstInvalid == nil { firstInvalid = i }
        (out + i * width).update(repeating: .nan, count: width)
        continue
      }
      (out + i * width).update(from: table + Int(index) * width, count: width)
    }
    return firstInvalid
  }

  /// Zeros `out` (`rows` rows of `width`) and adds row `i` of `grad` into row
  /// `indices[i]`, for `count` indices, in index order; invalid indices add nothing.
  static func embeddingBackward(
    _ indices: UnsafePointer<Float>, count: Int, _ grad: UnsafePointer<Float>, rows: Int, width: Int,
    _ out: UnsafeMutablePointer<Float>
  ) {
    fill(out, 0, count: rows * width)
    for i in 0..<count where isValidRow(indices[i], rows: rows) {
      let row = out + Int(indices[i]) * width
      let source = grad + i * width
      for j in 0..<width { row[j] += source[j] }
    }
  }
}
