/// Kernels that write into an output at computed positions: the adjoints of
/// ``Elementwise/gather(_:offset:strides:_:_:)`` (slice backward, concatenate)
/// and one-hot encoding.
extension Elementwise {
  /// `out[i] = value` for `count` contiguous elements.
  static func fill(_ out: UnsafeMutablePointer<Float>, _ value: Float, count: Int) {
    out.update(repeating: value, count: count)
  }

  /// Copies contiguous `source` (shape `shape`) into `out` through `strides`
  /// (one per dimension of `shape`, starting at `offset`): gather's inverse.
  /// Elements of `out` not addressed are left as they were.
  static func scatter(
    _ source: UnsafePointer<Float>, _ shape: Shape, into out: UnsafeMutablePointer<Float>, offset: Int, strides: [Int]
  ) {
    let inner = shape.rank > 0 ? strides[shape.rank - 1] : 0
    var i = 0
    StridedRows.forEach(shape: shape, strides: [strides], base: [offset]) { offsets, length in
      let p = out + offsets[0]
      if inner == 1 {
        p.update(from: source + i, count: length)
      } else {
        for j in 0..<length { p[j * inner] = source[i + j] }
      }
      i += length
    }
  }

  /// Writes `count` rows of `classes` values into `out`: 1 at the column named
  /// by `indices[row]`, 0 elsewhere.
  ///
  /// Returns the position of the first index that is not an integer in
  /// `0..<classes` (that row is left all zero), or nil when every index is valid.
  static func oneHot(
    _ indices: UnsafePointer<Float>, count: Int, classes: Int, _ out: UnsafeMutablePointer<Float>
  ) -> Int? {
    fill(out, 0, count: count * classes)
    var firstInvalid: Int?
    for row in 0..<count {
      let index = indices[row]
      guard index >= 0, index < Float(classes), index.rounded(.towardZero) == index else {
        if firstInvalid == nil { firstInvalid = row }
        continue
      }
      out[row * classes + Int(index)] = 1
    }
    return firstInvalid
  }
}
